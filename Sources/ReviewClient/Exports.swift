// The types this client returns (ApplicationDetail, ApplicationSummary, Decision, …) are the API's
// vocabulary, declared once in DocIntakeAPI for the server and this client.
@_exported import DocIntakeAPI
