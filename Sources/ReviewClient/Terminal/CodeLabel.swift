/// The portal's labels for the codes the API sends, so that people read 職域診療所, not
/// `workplace_clinic`. An unknown code is shown as sent.
enum CodeLabel {
    static let institutionKinds = [
        "medical": "医科", "dental": "歯科", "pharmacy": "調剤（薬局）", "home_nursing": "訪問看護", "workplace_clinic": "職域診療所",
    ]
    static let applicationKinds = ["new": "新規", "change": "変更"]
    static let lineTypes = [
        "1": "1: IP-VPN回線事業者（NTTなど、ただし、CTC・QTnetを除く）", "2": "2: IP-VPN回線事業者（CTC・QTnet）",
        "3": "3: IPsec+IKE サービス事業者",
    ]
    static let payments = ["deduct_from_fees": "1: 診療報酬支払額から控除", "invoice": "2: 払込請求書による振込み"]
    static let slots = ["opening_notification": "開設届の写し", "opening_permit": "開設許可書の写し"]

    /// The institution kind's label.
    static func institutionKind(_ code: String) -> String { institutionKinds[code] ?? code }

    /// A field's value as people read it: the label of a code, else the value.
    static func field(_ name: String, _ value: String) -> String {
        switch name {
        case "institution_kind": institutionKinds[value] ?? value
        case "application_kind": applicationKinds[value] ?? value
        case "line_type": lineTypes[value] ?? value
        case "certificate_fee_payment": payments[value] ?? value
        default: value
        }
    }
}
