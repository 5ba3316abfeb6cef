// The API's vocabulary (statuses, slots, form fields, the JSON types) is DocIntake's own, in every
// file and for every user of the library, as Hummingbird re-exports HummingbirdCore.
@_exported import DocIntakeAPI
