/// One page of `GET /api/v1/review/applications`.
struct ApplicationPage: Sendable, Decodable {
    var applications: [ApplicationSummary]
    /// Where the next page starts; nil on the last page.
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case applications
        case nextCursor = "next_cursor"
    }
}
