//! Interoperability of the Maildir store with an implementation nobody here wrote: the
//! `mailbox` module of Python's standard library reads what we wrote, writes into our
//! Maildir, and we read what it wrote.
//!
//! Needs `python3` on the PATH; without it the test says so on standard error and checks
//! nothing else.

use std::process::Command;

use mail_examples::maildir::{Flag, Flags, Maildir};

const SCRIPT: &str = r#"
import mailbox, sys
md = mailbox.Maildir(sys.argv[1], factory=None, create=False)
for name in sorted(md.list_folders()):
    print("folder", name)
def dump(label, box):
    rows = []
    for key, msg in box.iteritems():
        rows.append((msg["Subject"], msg.get_subdir(), msg.get_flags() or "-"))
    for subject, subdir, flags in sorted(rows):
        print("msg", label, subdir, flags, subject)
dump("INBOX", md)
dump("Sent", md.get_folder("Sent"))
# Deliver into INBOX the MDA way (new/), and file a seen message into Sent (cur/).
md.add(mailbox.MaildirMessage(b"Subject: from python\n\nhello\n"))
m = mailbox.MaildirMessage(b"Subject: python sent\n\nbye\n")
m.set_subdir("cur")
m.set_flags("RS")
md.get_folder("Sent").add(m)
print("done")
"#;

#[test]
fn python_mailbox_reads_and_writes_our_maildir() {
    if Command::new("python3").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 not found under CI: Maildir interoperability cannot be checked"
        );
        eprintln!("python3 not found: Maildir interoperability not checked");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Maildir::open(dir.path()).unwrap();
    store
        .deliver("INBOX", b"Subject: one\r\n\r\nfirst\r\n")
        .unwrap();
    store
        .deliver("INBOX", b"Subject: two\r\n\r\nsecond\r\n")
        .unwrap();
    let mut inbox = store.open_folder("INBOX").unwrap();
    let one = inbox
        .messages()
        .iter()
        .map(|m| m.uid())
        .find(|&uid| {
            inbox
                .clone()
                .read(uid)
                .unwrap()
                .starts_with(b"Subject: one")
        })
        .unwrap();
    inbox.add_flags(one, &[Flag::Seen, Flag::Flagged]).unwrap();
    store.create_folder("Sent").unwrap();
    store.create_folder("Archive.2024").unwrap();
    let replied: Flags = [Flag::Replied].into_iter().collect();
    store
        .append("Sent", b"Subject: sent by us\r\n\r\nx\r\n", &replied, None)
        .unwrap();
    store
        .deliver("Sent", b"Subject: not yet seen\r\n\r\ny\r\n")
        .unwrap();

    let out = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "folder Archive.2024",
            "folder Sent",
            "msg INBOX cur FS one",
            "msg INBOX cur - two",
            "msg Sent new - not yet seen",
            "msg Sent cur R sent by us",
            "done",
        ]
    );

    // What Python wrote: a delivery in INBOX/new, a flagged message in .Sent/cur.
    let inbox = store.open_folder("INBOX").unwrap();
    assert_eq!(inbox.len(), 3);
    let mut from_python: Vec<_> = inbox.messages().iter().filter(|m| m.is_recent()).collect();
    assert_eq!(from_python.len(), 1);
    let new = from_python.pop().unwrap().uid();
    assert_eq!(new, 3, "the next UID");
    assert_eq!(
        inbox.clone().read(new).unwrap(),
        b"Subject: from python\n\nhello\n"
    );
    let pop = store.pop3().unwrap();
    let wire = pop.list().find(|m| m.uid() == new).unwrap().size();
    assert_eq!(wire, b"Subject: from python\r\n\r\nhello\r\n".len() as u64);

    let mut sent = store.open_folder("Sent").unwrap();
    assert_eq!(sent.len(), 3);
    let python_sent = sent
        .messages()
        .iter()
        .find(|m| m.flags().letters() == "RS")
        .map(|m| m.uid())
        .unwrap();
    assert_eq!(
        sent.read(python_sent).unwrap(),
        b"Subject: python sent\n\nbye\n"
    );
}
