import AthanorJournal
import Synchronization

/// IDs of instances and runs: 26 characters of lowercase Crockford base32 (a ULID): 48 bits of
/// milliseconds since the epoch, then 80 random bits. They sort by creation time and are unique
/// without coordination, so files sort by creation and two people's branches never collide.
public enum Identifier {
    /// The length of a full ID.
    public static let length = 26

    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
    private static let lastTime = Mutex<(millis: UInt64, random: (UInt64, UInt64))>((0, (0, 0)))

    /// A new ID. IDs made in the same millisecond by this process still sort in order.
    public static func generate() -> String {
        let now = UInt64(max(0, Timestamp.now().microsecondsSinceEpoch / 1000))
        let (millis, high, low) = lastTime.withLock { state -> (UInt64, UInt64, UInt64) in
            if now <= state.millis {
                // Same millisecond (or the clock went back): increment the random part.
                var (high, low) = state.random
                low &+= 1
                if low == 0 { high &+= 1 }
                state.random = (high & 0xFFFF, low)
            } else {
                state.millis = now
                state.random = (UInt64.random(in: 0...0xFFFF), UInt64.random(in: 0...UInt64.max))
            }
            return (state.millis, state.random.0, state.random.1)
        }
        // 128 bits: 48 of time, 16 + 64 of randomness; written as 26 base32 digits (130 bits).
        var digits = [UInt8](repeating: 0, count: 26)
        var value = (time: millis, high: high, low: low)
        for index in stride(from: 25, through: 0, by: -1) {
            let digit = Int(value.low & 31)
            digits[index] = alphabet[digit]
            value.low = (value.low >> 5) | ((value.high & 31) << 59)
            value.high = (value.high >> 5) | ((value.time & 31) << 11)
            value.time >>= 5
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// Whether `text` could be (a prefix of) an ID: 1 to 26 characters of the ID alphabet, so it
    /// can never name a path outside the data directory (`..`, `/`, absolute paths).
    public static func isValidPrefix(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return !bytes.isEmpty && bytes.count <= length && bytes.allSatisfy { alphabet.contains($0) }
    }
}
