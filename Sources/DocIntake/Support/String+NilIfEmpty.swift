extension String {
    /// Nil for the empty string: an optional input left blank is absent.
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
