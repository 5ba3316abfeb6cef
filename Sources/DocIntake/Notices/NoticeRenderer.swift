import Foundation
import Mustache
import Storage

/// Turns a queued outbox row into its Japanese subject and body, from the payload the event's
/// transaction stored (so a notice says what was true when the event happened).
struct NoticeRenderer: Sendable {
    private let library: MustacheLibrary
    /// Where the status page is and whom to ask: in every notice.
    private let configuration: NoticeConfiguration

    /// Compiles the templates; a template error is a programming error caught by the tests.
    init(configuration: NoticeConfiguration = NoticeConfiguration()) throws {
        self.configuration = configuration
        var library = MustacheLibrary()
        for kind in NoticeKind.allCases {
            try library.register(NoticeTemplates.body(kind), named: kind.rawValue)
        }
        self.library = library
    }

    /// The notice for `message`; throws `NoticeError.unreadable` when its kind or payload is not one
    /// this version understands.
    func render(_ message: OutboxMessage, accessToken: String? = nil) throws -> RenderedNotice {
        guard let kind = NoticeKind(rawValue: message.kind) else { throw NoticeError.unreadable("unknown kind \(message.kind)") }
        let payload = Data(message.payload.utf8)
        var context: [String: Any]
        do {
            switch kind {
            case .submission: context = try JSONDecoder().decode(SubmissionNotice.self, from: payload).templateContext
            case .approval, .return, .rejection: context = try JSONDecoder().decode(DecisionNotice.self, from: payload).templateContext
            case .resubmission: context = try JSONDecoder().decode(ResubmissionNotice.self, from: payload).templateContext
            case .accessLink: context = try JSONDecoder().decode(AccessLinkNotice.self, from: payload).templateContext
            }
        } catch {
            throw NoticeError.unreadable("payload of \(kind.rawValue) does not decode")
        }
        context["statusURL"] = configuration.statusPageURL(applicationId: message.applicationId)
        context["contact"] = configuration.contact
        if kind == .accessLink {
            // In the fragment, which browsers never send: no server or proxy logs it.
            guard let accessToken else { throw NoticeError.unreadable("an access link needs its new token") }
            context["accessLink"] = configuration.statusPageURL(applicationId: message.applicationId) + "#token=" + accessToken
        }
        context["masterAccountSource"] = DomainFacts.masterAccountInformationSource
        guard let body = library.render(context, withTemplate: kind.rawValue) else {
            throw NoticeError.unreadable("no template for \(kind.rawValue)")
        }
        return RenderedNotice(kind: kind, subject: kind.subject, body: body)
    }
}

/// A notice's text, before it becomes an email.
struct RenderedNotice: Sendable, Equatable {
    var kind: NoticeKind
    var subject: String
    /// Plain text, lines ending in `\n`.
    var body: String
}
