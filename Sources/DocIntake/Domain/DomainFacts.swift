import Foundation

/// Facts from domain.md that are uncertain or may be corrected later, kept in one place so
/// that a correction is a one-line change.
public enum DomainFacts {
    /// 点数表コード of a 職域診療所: unknown (domain.md: the manual's screenshot is unreadable).
    public static let workplaceClinicScoreTableCode: String? = nil

    /// The line type for which お客さまID is required.
    public static let lineTypeRequiringCustomerId = "1"

    /// The document cap: 100 MB read as 100 MiB (domain.md), configurable at run time.
    public static let defaultMaxFileSize: Int64 = 104_857_600

    /// Retention counts fiscal years as Japanese public records do: from April 1, Japan time.
    public static let fiscalYearStartMonth = 4
    /// The time zone of that April 1 (and of the dates operators type and read).
    public static let retentionTimeZone = TimeZone(identifier: "Asia/Tokyo")!

    /// Where an approved clinic obtains its master account information, as the approval notice
    /// says. [uncertain] domain.md names the notice but not the channel; this follows the portal's
    /// practice of showing account information after login.
    public static let masterAccountInformationSource =
        "医療機関等向け総合ポータルサイトにログインし、「オンライン資格確認等システム」の利用申請状況の画面で取得してください"

    /// 都道府県コード (JIS X 0401).
    public static let prefectures: [String: String] = [
        "01": "北海道", "02": "青森県", "03": "岩手県", "04": "宮城県", "05": "秋田県", "06": "山形県",
        "07": "福島県", "08": "茨城県", "09": "栃木県", "10": "群馬県", "11": "埼玉県", "12": "千葉県",
        "13": "東京都", "14": "神奈川県", "15": "新潟県", "16": "富山県", "17": "石川県", "18": "福井県",
        "19": "山梨県", "20": "長野県", "21": "岐阜県", "22": "静岡県", "23": "愛知県", "24": "三重県",
        "25": "滋賀県", "26": "京都府", "27": "大阪府", "28": "兵庫県", "29": "奈良県", "30": "和歌山県",
        "31": "鳥取県", "32": "島根県", "33": "岡山県", "34": "広島県", "35": "山口県", "36": "徳島県",
        "37": "香川県", "38": "愛媛県", "39": "高知県", "40": "福岡県", "41": "佐賀県", "42": "長崎県",
        "43": "熊本県", "44": "大分県", "45": "宮崎県", "46": "鹿児島県", "47": "沖縄県",
    ]
}
