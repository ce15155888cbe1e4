//! Client-made identifiers. A create carries one so that a retried create is recognised by the
//! server (`If-None-Exist`) and never stored twice.

/// A random (version 4) UUID as a URN, from 16 random bytes.
pub fn uuid_urn(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_version_4_uuid_urn() {
        let urn = uuid_urn([0xff; 16]);
        assert_eq!(urn, "urn:uuid:ffffffff-ffff-4fff-bfff-ffffffffffff");
        let urn = uuid_urn([0; 16]);
        assert_eq!(urn, "urn:uuid:00000000-0000-4000-8000-000000000000");
    }
}
