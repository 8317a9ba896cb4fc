//! FNV-1a, 64 bits: a stable hash (std's hashers may change between releases and are seeded).

/// FNV-1a, 64 bits, over `bytes`. Which replica serves which account depends on it (see
/// `config::Shard`), so it must never change (a test there pins its values).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(PRIME)
    })
}
