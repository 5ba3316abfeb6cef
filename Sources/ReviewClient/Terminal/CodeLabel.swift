/// The portal's labels for the codes the API sends, so that people read 職域診療所, not
/// `workplace_clinic`: the names DocIntakeAPI declares for the server and this client alike. An
/// unknown code is shown as sent.
enum CodeLabel {
    /// The institution kind's label.
    static func institutionKind(_ code: String) -> String { InstitutionKind(rawValue: code)?.japaneseName ?? code }

    /// The document slot's label: 開設届の写し or 開設許可書の写し.
    static func slot(_ code: String) -> String { DocumentSlot(rawValue: code)?.japaneseName ?? code }

    /// A field's value as people read it: the label of a code, else the value.
    static func field(_ name: String, _ value: String) -> String {
        switch FormField(rawValue: name) {
        case .institutionKind: institutionKind(value)
        case .applicationKind: ApplicationKind(rawValue: value)?.japaneseName ?? value
        case .lineType: LineTypes.numberedName(value)
        case .certificateFeePayment: CertificateFeePayment(rawValue: value)?.numberedName ?? value
        default: value
        }
    }
}
