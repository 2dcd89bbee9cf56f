//! `parse(serialize(x)) == x` for commands, replies and EHLO responses, and decoding at
//! random split points gives the same values.

mod common;

use proptest::prelude::*;
use smtp_proto::*;

fn split_decode<T>(
    bytes: &[u8],
    split: usize,
    decode: impl Fn(&[u8]) -> Result<Decoded<T>, Error>,
) -> Option<(T, usize)> {
    let split = split % (bytes.len() + 1);
    if split < bytes.len() {
        assert!(matches!(
            decode(&bytes[..split]),
            Ok(Decoded::Incomplete { .. })
        ));
    }
    decode(bytes).unwrap().complete()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn command_round_trips(cmd in common::command(), split in any::<usize>()) {
        let bytes = cmd.to_bytes();
        let (back, used) = split_decode(&bytes, split, |b| Command::decode(b).map(|d| d.map(Command::into_owned)))
            .expect("complete");
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(back, cmd);
    }

    #[test]
    fn reply_round_trips(reply in common::reply(), split in any::<usize>()) {
        let bytes = reply.to_bytes();
        let (back, used) = split_decode(&bytes, split, |b| Reply::decode(b).map(|d| d.map(Reply::into_owned)))
            .expect("complete");
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(back, reply);
    }

    #[test]
    fn ehlo_round_trips(ehlo in common::ehlo(), split in any::<usize>()) {
        let bytes = ehlo.to_bytes();
        let (back, used) = split_decode(&bytes, split, |b| EhloResponse::decode(b).map(|d| d.map(EhloResponse::into_owned)))
            .expect("complete");
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(back, ehlo);
    }

    #[test]
    fn auth_line_round_trips(data in proptest::collection::vec(any::<u8>(), 0..64), cancel in any::<bool>()) {
        let v = if cancel { AuthResponse::Cancel } else { AuthResponse::Data(Base64::encode(&data)) };
        let bytes = v.to_bytes();
        let back = AuthResponse::decode(&bytes).unwrap().complete().unwrap().0.into_owned();
        if let AuthResponse::Data(b) = &back {
            prop_assert_eq!(b.decode().unwrap(), data);
        }
        prop_assert_eq!(back, v);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_reencode_stably(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        if let Ok(Decoded::Complete { value, .. }) = Command::decode(&bytes) {
            let enc = value.to_bytes();
            let again = Command::decode(&enc).unwrap().complete().unwrap().0;
            prop_assert_eq!(again, value);
        }
        if let Ok(Decoded::Complete { value, .. }) = Reply::decode(&bytes) {
            let enc = value.to_bytes();
            let again = Reply::decode(&enc).unwrap().complete().unwrap().0;
            prop_assert_eq!(again, value);
        }
    }
}
