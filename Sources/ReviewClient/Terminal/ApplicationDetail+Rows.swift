extension ApplicationDetail.Fields {
    /// (API name, Japanese label, value) in the form's order, for the human view.
    var rows: [(name: String, label: String, value: String?)] {
        let values: [(FormField, String?)] = [
            (.institutionKind, institutionKind), (.prefectureCode, prefectureCode), (.institutionCode, institutionCode),
            (.institutionName, institutionName), (.applicationKind, applicationKind), (.lineType, lineType),
            (.customerIdType, customerIdType), (.customerId, customerId), (.plannedStartMonth, plannedStartMonth),
            (.plannedTestMonth, plannedTestMonth), (.certificateFeePayment, certificateFeePayment), (.contactEmail, contactEmail),
        ]
        return values.map { (name: $0.0.rawValue, label: $0.0.japaneseName, value: $0.1) }
    }
}
