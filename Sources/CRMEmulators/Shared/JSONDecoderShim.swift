import Foundation

/// Decodes `Decodable` types from raw bytes with Foundation's decoder.
enum JSONDecoderShim {
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
