extension DecisionNotice {
    /// The values the approval, return and rejection templates read.
    var templateContext: [String: Any] {
        ["receiptNumber": receiptNumber, "institutionName": institutionName, "reason": reason ?? ""]
    }
}
