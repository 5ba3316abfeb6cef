/// 電気通信回線種別: the form's choices by their code, as the form, the notices and the reviewer
/// client name them. `1` is from the manual; `2` and `3` are [public, uncertain] (domain.md).
public enum LineTypes {
    /// Code → name, e.g. `1` → `IP-VPN回線事業者（NTTなど、ただし、CTC・QTnetを除く）`.
    public static let names: [String: String] = [
        "1": "IP-VPN回線事業者（NTTなど、ただし、CTC・QTnetを除く）",
        "2": "IP-VPN回線事業者（CTC・QTnet）",
        "3": "IPsec+IKE サービス事業者",
    ]

    /// `1: IP-VPN回線事業者（…）`, as the receipt, the status page and the reviewer client show a
    /// stored code; an unknown code as given.
    public static func numberedName(_ code: String) -> String {
        names[code].map { "\(code): \($0)" } ?? code
    }
}
