extension SubmissionNotice {
    /// The values the submission template reads; absent optional items are spelt out so that
    /// the applicant sees they were left empty.
    var templateContext: [String: Any] {
        [
            "receiptNumber": receiptNumber ?? "",
            "institutionName": institutionName,
            "reviewed": reviewed,
            "applicationKind": applicationKind,
            "lineType": lineType,
            "customerId": customerId ?? "（なし）",
            "plannedStartMonth": NoticeText.month(plannedStartMonth),
            "plannedTestMonth": plannedTestMonth.map(NoticeText.month) ?? "未定",
            "certificateFeePayment": certificateFeePayment,
            "documents": documents.map { document -> [String: Any] in
                [
                    "name": document.slot.japaneseName,
                    "filename": document.filename,
                    "size": FileSizeText.bytesText(document.size),
                ]
            },
        ]
    }
}
