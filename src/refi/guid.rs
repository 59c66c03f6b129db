//! Stable GUIDs for REFI-QDA exports: name-based UUIDs (RFC 4122 version 5, SHA-1) derived from
//! thema ids, so exporting the same study twice gives the same GUIDs, plus the lenient reading
//! of GUIDs other tools write (either case, optional braces).
//!
//! SHA-1 is implemented here because version-5 UUIDs need it and nothing else in thema does; it is
//! used only to derive identifiers, never for security.

/// The namespace under which thema derives every study's namespace (a fixed, random UUID).
pub const THEMA_NAMESPACE: [u8; 16] = [
    0x6f, 0x2b, 0x1c, 0x8e, 0x93, 0x4d, 0x4a, 0x57, 0x8e, 0x21, 0x5c, 0x0b, 0xd7, 0x43, 0x9a, 0x12,
];

/// SHA-1 digest of `data` (FIPS 180-4).
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let bit_len = (data.len() as u64).wrapping_mul(8);
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bit_len.to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let temp = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = temp;
        }
        for (slot, v) in h.iter_mut().zip([a, b, c, d, e]) {
            *slot = slot.wrapping_add(v);
        }
    }
    let mut out = [0u8; 20];
    for (i, word) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// The version-5 UUID of `name` in `namespace`, as 16 bytes.
pub fn uuid_v5_bytes(namespace: &[u8; 16], name: &str) -> [u8; 16] {
    let mut input = Vec::with_capacity(16 + name.len());
    input.extend_from_slice(namespace);
    input.extend_from_slice(name.as_bytes());
    let digest = sha1(&input);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    bytes
}

/// Formats 16 bytes as a lowercase `8-4-4-4-12` GUID.
pub fn format_guid(bytes: &[u8; 16]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Parses a GUID in the `8-4-4-4-12` form (any case, optional braces) into bytes.
pub fn parse_guid(text: &str) -> Option<[u8; 16]> {
    let bare = normalise_guid(text)?;
    let hex: String = bare.chars().filter(|c| *c != '-').collect();
    let mut out = [0u8; 16];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

/// A GUID as thema compares and stores them: lowercase, no braces, `None` if it is not one.
pub fn normalise_guid(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let bare = trimmed
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(trimmed);
    is_guid(bare).then(|| bare.to_ascii_lowercase())
}

/// Whether `text` is exactly a bare `8-4-4-4-12` hexadecimal GUID.
pub fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Derives GUIDs for the entities of one study: each kind of entity and its thema id name one
/// version-5 UUID in the study's own namespace.
#[derive(Debug, Clone)]
pub struct GuidSpace {
    namespace: [u8; 16],
}

impl GuidSpace {
    /// The GUID space of the study with this name.
    pub fn for_study(study_name: &str) -> Self {
        GuidSpace {
            namespace: uuid_v5_bytes(&THEMA_NAMESPACE, &format!("study:{study_name}")),
        }
    }

    /// The GUID of the entity `kind` (`transcript`, `code`, ...) with thema id `id`. An id that
    /// already is a GUID (one kept from an earlier import) is used as it is.
    pub fn guid(&self, kind: &str, id: &str) -> String {
        if let Some(kept) = normalise_guid(id) {
            return kept;
        }
        format_guid(&uuid_v5_bytes(&self.namespace, &format!("{kind}:{id}")))
    }

    /// Like [`GuidSpace::guid`] but always derived, even when `id` looks like a GUID.
    pub fn derived(&self, kind: &str, id: &str) -> String {
        format_guid(&uuid_v5_bytes(&self.namespace, &format!("{kind}:{id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha1_matches_the_standard_vectors() {
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            hex(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(&sha1(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        let million = vec![b'a'; 1_000_000];
        assert_eq!(
            hex(&sha1(&million)),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        );
    }

    #[test]
    fn uuid_v5_matches_rfc_4122_examples() {
        // The DNS namespace and "www.example.com" (Python: uuid.uuid5(uuid.NAMESPACE_DNS, ...)).
        let dns = parse_guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8").unwrap();
        assert_eq!(
            format_guid(&uuid_v5_bytes(&dns, "www.example.com")),
            "2ed6657d-e927-568b-95e1-2665a8aea6a2"
        );
    }

    #[test]
    fn guids_are_read_leniently() {
        assert_eq!(
            normalise_guid("{AD68FBE7-E1EE-4A82-A279-23CC698C89EB}").as_deref(),
            Some("ad68fbe7-e1ee-4a82-a279-23cc698c89eb")
        );
        assert_eq!(normalise_guid("1"), None);
        assert_eq!(normalise_guid("ad68fbe7e1ee4a82a27923cc698c89eb"), None);
        let space = GuidSpace::for_study("Link workers");
        let a = space.guid("code", "c4k9x2p");
        assert_eq!(a, space.guid("code", "c4k9x2p"));
        assert_ne!(a, space.guid("code", "c4k9x2q"));
        assert_ne!(a, GuidSpace::for_study("Other").guid("code", "c4k9x2p"));
        assert_eq!(
            space.guid("code", "AD68FBE7-E1EE-4A82-A279-23CC698C89EB"),
            "ad68fbe7-e1ee-4a82-a279-23cc698c89eb"
        );
        assert!(is_guid(&a));
    }
}
