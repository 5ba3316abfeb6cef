/// 申請区分.
public enum ApplicationKind: String, Sendable, Codable, CaseIterable {
    /// 新規
    case new
    /// 変更
    case change

    /// The kind as the form names it, for notices.
    public var japaneseName: String { self == .new ? "新規" : "変更" }
}

/// お客さまID (種別).
public enum CustomerIdType: String, Sendable, Codable, CaseIterable {
    case caf = "CAF"
    case cop = "COP"
}

/// 電子証明書発行料の支払方法.
public enum CertificateFeePayment: String, Sendable, Codable, CaseIterable {
    /// 1: 診療報酬支払額から控除
    case deductFromFees = "deduct_from_fees"
    /// 2: 払込請求書による振込み. The only choice for a 職域診療所.
    case invoice

    /// The method as the form names it, for notices.
    public var japaneseName: String {
        self == .deductFromFees ? "診療報酬支払額から控除" : "払込請求書による振込み"
    }

    /// The method with the form's number for it (`2: 払込請求書による振込み`), as the receipt,
    /// the status page and the reviewer client show a stored value.
    public var numberedName: String {
        "\((Self.allCases.firstIndex(of: self) ?? 0) + 1): \(japaneseName)"
    }
}
