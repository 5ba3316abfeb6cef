import DocIntakeAPI
import GRDB

// The wire vocabulary's enumerations, stored in SQLite as their raw values: the same text the
// columns held before they were typed, so no migration. A stored text no case names fails the
// row's decoding (GRDB throws) rather than turning into some default.

extension ApplicationStatus: DatabaseValueConvertible {}
extension DocumentSlot: DatabaseValueConvertible {}
extension InstitutionKind: DatabaseValueConvertible {}
extension ApplicationKind: DatabaseValueConvertible {}
extension CustomerIdType: DatabaseValueConvertible {}
extension CertificateFeePayment: DatabaseValueConvertible {}
