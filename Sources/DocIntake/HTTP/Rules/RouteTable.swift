import HTTPTypes
import Hummingbird
import Synchronization

/// Every route's path and methods, recorded as routes are registered, so that a request no route
/// takes is answered by RFC 9110: 405 with `Allow` on a known path (§15.5.6), 404 on any other,
/// both as problem+json. (Hummingbird's router answers both with an empty 404.)
final class RouteTable: Sendable {
    private let routes = Mutex<[(path: RouterPath, methods: Set<HTTPRequest.Method>)]>([])

    func record(_ path: RouterPath, _ method: HTTPRequest.Method) {
        routes.withLock { routes in
            if let index = routes.firstIndex(where: { $0.path.description == path.description }) {
                routes[index].methods.insert(method)
            } else {
                routes.append((path, [method]))
            }
        }
    }

    /// The methods the routes matching `path` take (HEAD wherever GET is), sorted; empty for an
    /// unknown path.
    func allowedMethods(_ path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var methods = Set<HTTPRequest.Method>()
        routes.withLock { routes in
            for route in routes
            where route.path.components.count == segments.count
                && zip(route.path.components, segments).allSatisfy({ $0 ~= $1 })
            {
                methods.formUnion(route.methods)
            }
        }
        if methods.contains(.get) { methods.insert(.head) }
        return methods.sorted { $0.rawValue < $1.rawValue }
    }
}

/// A router that records each route in a ``RouteTable`` before handing it on.
struct RecordingRouter<Context: RequestContext>: RouterMethods {
    let base: Router<Context>
    let table: RouteTable

    @discardableResult func on<Responder: HTTPResponder>(
        _ path: RouterPath, method: HTTPRequest.Method, responder: Responder
    ) -> Self where Responder.Context == Context {
        table.record(path, method)
        base.on(path, method: method, responder: responder)
        return self
    }

    @discardableResult func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        base.add(middleware: middleware)
        return self
    }
}

/// Turns the router's empty 404 for a request no route takes into 405 + `Allow` or 404, with a
/// problem+json body.
struct UnroutedRequestMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && (context.endpointPath ?? "NotFound") == "NotFound" {
            // Hummingbird's NotFoundResponder names the endpoint "NotFound": no route took the request.
            let allowed = table.allowedMethods(request.uri.path)
            guard !allowed.isEmpty else { return Problem.unknownPath.response() }
            var response = Problem.methodNotAllowed(request.method, allowed: allowed).response()
            response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            return response
        }
    }
}
