/// One page of `GET /api/v1/review/applications` (`ApplicationPage` in openapi.yaml), oldest first,
/// with an opaque cursor to the next page.
public struct ApplicationPage: Sendable, Codable, Equatable {
    /// The rows of this page.
    public var applications: [ApplicationSummary]
    /// Where the next page starts; nil on the last page.
    public var nextCursor: String?

    /// One page.
    public init(applications: [ApplicationSummary], nextCursor: String?) {
        self.applications = applications
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case applications
        case nextCursor = "next_cursor"
    }
}
