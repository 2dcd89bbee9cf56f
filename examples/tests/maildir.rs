//! The Maildir store against real files in a temporary directory.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use mail_examples::Error;
use mail_examples::maildir::{Expunged, Flag, Flags, Maildir, crlf_len, to_crlf};

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn store() -> (tempfile::TempDir, Maildir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Maildir::open(dir.path().join("mail")).unwrap();
    (dir, store)
}

#[test]
fn open_creates_the_standard_layout() {
    let (_dir, store) = store();
    for sub in ["cur", "new", "tmp"] {
        assert!(store.root().join(sub).is_dir(), "{sub}");
    }
    assert_eq!(store.folders().unwrap(), ["INBOX"]);
}

#[test]
fn delivery_goes_through_tmp_into_new_under_a_unique_name() {
    let (_dir, store) = store();
    let id = store
        .deliver("INBOX", b"Subject: a\r\n\r\nbody\r\n")
        .unwrap();
    assert_eq!(
        names_in(&store.root().join("new")),
        std::slice::from_ref(&id)
    );
    assert!(names_in(&store.root().join("tmp")).is_empty());
    assert!(names_in(&store.root().join("cur")).is_empty());
    assert_eq!(
        fs::read(store.root().join("new").join(&id)).unwrap(),
        b"Subject: a\r\n\r\nbody\r\n"
    );
    // secs.MusecPpidQseq.host,S=size
    let (secs, rest) = id.split_once('.').unwrap();
    assert!(secs.parse::<u64>().unwrap() > 1_600_000_000);
    assert!(rest.starts_with('M'));
    assert!(rest.contains(&format!("P{}Q", std::process::id())));
    assert!(id.ends_with(",S=20"));
    assert!(!id.contains(':') && !id.contains('/'));
    let other = store.deliver("INBOX", b"x").unwrap();
    assert_ne!(id, other);
}

#[test]
fn deliveries_from_many_threads_get_distinct_names() {
    let (_dir, store) = store();
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                (0..25)
                    .map(|i| {
                        store
                            .deliver("INBOX", format!("{t}-{i}").as_bytes())
                            .unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut ids: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 200);
    let inbox = store.open_folder("INBOX").unwrap();
    assert_eq!(inbox.len(), 200);
    let uids: Vec<u32> = inbox.messages().iter().map(|m| m.uid()).collect();
    assert_eq!(uids, (1..=200).collect::<Vec<_>>());
}

#[test]
fn files_dropped_into_new_are_picked_up_into_cur_and_recent_once() {
    let (_dir, store) = store();
    fs::write(
        store.root().join("new").join("1700000000.ext1.other"),
        b"A\n",
    )
    .unwrap();
    fs::write(
        store.root().join("new").join("1700000001.ext2.other:2,S"),
        b"B\n",
    )
    .unwrap();
    fs::write(store.root().join("new").join(".hidden"), b"not a message").unwrap();
    let inbox = store.open_folder("INBOX").unwrap();
    assert_eq!(inbox.len(), 2);
    assert_eq!(
        names_in(&store.root().join("cur")),
        ["1700000000.ext1.other:2,", "1700000001.ext2.other:2,S"]
    );
    assert_eq!(names_in(&store.root().join("new")), [".hidden"]);
    let first = &inbox.messages()[0];
    assert_eq!(first.id(), "1700000000.ext1.other");
    assert!(first.is_recent() && first.flags().is_empty());
    assert!(inbox.messages()[1].has(Flag::Seen));
    assert_eq!(inbox.status().recent, 2);
    // A second snapshot is not the first to see them.
    let again = store.open_folder("INBOX").unwrap();
    assert_eq!(again.status().recent, 0);
    assert_eq!(again.messages()[0].uid(), first.uid());
}

#[test]
fn flags_live_in_the_file_name_sorted() {
    let (_dir, store) = store();
    let id = store.deliver("INBOX", b"m").unwrap();
    let mut inbox = store.open_folder("INBOX").unwrap();
    let flags = inbox
        .add_flags(1, &[Flag::Seen, Flag::Flagged, Flag::Replied])
        .unwrap();
    assert_eq!(flags.letters(), "FRS");
    assert_eq!(names_in(&store.root().join("cur")), [format!("{id}:2,FRS")]);
    inbox.remove_flags(1, &[Flag::Flagged]).unwrap();
    assert_eq!(names_in(&store.root().join("cur")), [format!("{id}:2,RS")]);
    inbox.set_flags(1, &[Flag::Trashed, Flag::Draft]).unwrap();
    assert_eq!(names_in(&store.root().join("cur")), [format!("{id}:2,DT")]);
    // A new snapshot reads the same flags back from the name.
    let again = store.open_folder("INBOX").unwrap();
    assert_eq!(again.messages()[0].flags().letters(), "DT");
    assert_eq!(again.messages()[0].id(), id);
}

#[test]
fn letters_of_other_software_survive_flag_changes() {
    let (_dir, store) = store();
    fs::write(store.root().join("cur").join("1.k.host:2,Sab"), b"m").unwrap();
    let mut inbox = store.open_folder("INBOX").unwrap();
    inbox.set_flags(1, &[Flag::Flagged]).unwrap();
    assert_eq!(names_in(&store.root().join("cur")), ["1.k.host:2,Fab"]);
}

#[test]
fn uids_are_stable_across_reopen_and_never_reused() {
    let (_dir, store) = store();
    let ids: Vec<String> = (0..3)
        .map(|i| store.deliver("INBOX", format!("m{i}").as_bytes()).unwrap())
        .collect();
    let mut inbox = store.open_folder("INBOX").unwrap();
    let uidvalidity = inbox.uidvalidity();
    let by_uid: Vec<(u32, String)> = inbox
        .messages()
        .iter()
        .map(|m| (m.uid(), m.id().to_owned()))
        .collect();
    assert_eq!(by_uid.iter().map(|p| p.0).collect::<Vec<_>>(), [1, 2, 3]);
    let mut sorted_ids = ids.clone();
    sorted_ids.sort();
    let mut seen_ids: Vec<String> = by_uid.iter().map(|p| p.1.clone()).collect();
    seen_ids.sort();
    assert_eq!(seen_ids, sorted_ids);

    inbox.add_flags(2, &[Flag::Trashed]).unwrap();
    assert_eq!(inbox.expunge().unwrap(), [Expunged { seq: 2, uid: 2 }]);
    store.deliver("INBOX", b"late").unwrap();

    let again = store.open_folder("INBOX").unwrap();
    assert_eq!(again.uidvalidity(), uidvalidity);
    let now: Vec<(u32, &str)> = again.messages().iter().map(|m| (m.uid(), m.id())).collect();
    assert_eq!(now.len(), 3);
    assert_eq!(now[0], (1, by_uid[0].1.as_str()));
    assert_eq!(now[1], (3, by_uid[2].1.as_str()));
    assert_eq!(now[2].0, 4, "the expunged UID 2 is not reused");
    assert_eq!(again.uidnext(), 5);
    assert_eq!(again.seq_of(4), Some(3));
    assert_eq!(again.by_seq(2).map(|m| m.uid()), Some(3));
}

#[test]
fn uidvalidity_is_persisted_and_grows_when_a_folder_is_recreated() {
    let (_dir, store) = store();
    store.create_folder("Work").unwrap();
    let first = store.open_folder("Work").unwrap().uidvalidity();
    assert_eq!(store.open_folder("Work").unwrap().uidvalidity(), first);
    let file = fs::read_to_string(
        store
            .folder_path("Work")
            .unwrap()
            .join("mail-examples-uids"),
    )
    .unwrap();
    assert!(file.contains(&format!("uidvalidity {first}\n")), "{file}");

    store.delete_folder("Work").unwrap();
    store.create_folder("Work").unwrap();
    let second = store.open_folder("Work").unwrap().uidvalidity();
    assert!(second > first, "{second} > {first}");
}

#[test]
fn a_lost_uid_file_means_a_new_uidvalidity_and_refresh_says_so() {
    let (_dir, store) = store();
    store.deliver("INBOX", b"m").unwrap();
    let mut inbox = store.open_folder("INBOX").unwrap();
    let before = inbox.uidvalidity();
    fs::write(store.root().join("mail-examples-uids"), b"garbage").unwrap();
    let changes = inbox.refresh().unwrap();
    assert!(changes.uidvalidity_changed);
    assert!(inbox.uidvalidity() > before);
    assert_eq!(changes.expunged, [Expunged { seq: 1, uid: 1 }]);
    assert_eq!(changes.added, [1]);
}

#[test]
fn expunge_removes_only_trashed_messages_highest_sequence_first() {
    let (_dir, store) = store();
    for i in 0..5 {
        store.deliver("INBOX", format!("m{i}").as_bytes()).unwrap();
    }
    let mut inbox = store.open_folder("INBOX").unwrap();
    for uid in [2, 4, 5] {
        inbox.add_flags(uid, &[Flag::Trashed]).unwrap();
    }
    // UID EXPUNGE limits the removal to the given UIDs (and ignores unknown ones).
    assert_eq!(
        inbox.expunge_uids(&[1, 4, 99]).unwrap(),
        [Expunged { seq: 4, uid: 4 }]
    );
    assert_eq!(
        inbox.expunge().unwrap(),
        [Expunged { seq: 4, uid: 5 }, Expunged { seq: 2, uid: 2 }]
    );
    let left: Vec<u32> = inbox.messages().iter().map(|m| m.uid()).collect();
    assert_eq!(left, [1, 3]);
    assert_eq!(names_in(&store.root().join("cur")).len(), 2);
    assert_eq!(store.open_folder("INBOX").unwrap().len(), 2);
}

#[test]
fn remove_deletes_by_uid_whatever_the_flags() {
    let (_dir, store) = store();
    store.deliver("INBOX", b"a").unwrap();
    store.deliver("INBOX", b"b").unwrap();
    let mut inbox = store.open_folder("INBOX").unwrap();
    assert_eq!(inbox.remove(&[1]).unwrap(), [Expunged { seq: 1, uid: 1 }]);
    assert_eq!(inbox.read(2).unwrap().len(), 1);
    assert!(matches!(
        inbox.read(1),
        Err(Error::NoSuchMessage { uid: 1, .. })
    ));
}

#[test]
fn folders_are_maildir_plus_plus_directories() {
    let (_dir, store) = store();
    store.create_folder("Sent").unwrap();
    store.create_folder("Archive.2024").unwrap();
    store.create_folder("Archive").unwrap();
    assert!(store.root().join(".Archive.2024").join("cur").is_dir());
    assert!(store.root().join(".Sent").join("maildirfolder").is_file());
    assert_eq!(
        store.folders().unwrap(),
        ["INBOX", "Archive", "Archive.2024", "Sent"]
    );
    assert!(matches!(
        store.create_folder("Sent"),
        Err(Error::FolderExists(_))
    ));
    assert!(matches!(
        store.create_folder("inbox"),
        Err(Error::FolderExists(_))
    ));
    for bad in ["", ".x", "x.", "a..b", "a/b", "a\nb"] {
        assert!(
            matches!(
                store.create_folder(bad),
                Err(Error::InvalidFolderName { .. })
            ),
            "{bad:?}"
        );
    }
    // INBOX is case-insensitive, other names are not.
    assert!(store.folder_exists("iNbOx"));
    assert!(!store.folder_exists("sent"));

    // Renaming moves the inferiors too.
    store.deliver("Archive.2024", b"old mail").unwrap();
    store.rename_folder("Archive", "Old").unwrap();
    assert_eq!(
        store.folders().unwrap(),
        ["INBOX", "Old", "Old.2024", "Sent"]
    );
    assert_eq!(store.open_folder("Old.2024").unwrap().len(), 1);
    assert!(matches!(
        store.rename_folder("Old", "Sent"),
        Err(Error::FolderExists(_))
    ));
    assert!(matches!(
        store.rename_folder("Nope", "Other"),
        Err(Error::NoSuchFolder(_))
    ));

    // Deleting a parent leaves its inferiors (flat directories in Maildir++).
    store.delete_folder("Old").unwrap();
    assert_eq!(store.folders().unwrap(), ["INBOX", "Old.2024", "Sent"]);
    assert!(matches!(store.delete_folder("INBOX"), Err(Error::Inbox)));
    assert!(matches!(
        store.delete_folder("Old"),
        Err(Error::NoSuchFolder(_))
    ));
    assert!(matches!(
        store.deliver("Old", b"x"),
        Err(Error::NoSuchFolder(_))
    ));
}

#[test]
fn renaming_inbox_moves_its_messages_and_leaves_it_empty() {
    let (_dir, store) = store();
    store.deliver("INBOX", b"one").unwrap();
    store.deliver("INBOX", b"two").unwrap();
    store.rename_folder("INBOX", "Saved").unwrap();
    assert_eq!(store.open_folder("INBOX").unwrap().len(), 0);
    let mut saved = store.open_folder("Saved").unwrap();
    assert_eq!(saved.len(), 2);
    let mut bodies = vec![saved.read(1).unwrap(), saved.read(2).unwrap()];
    bodies.sort();
    assert_eq!(bodies, [b"one".to_vec(), b"two".to_vec()]);
}

#[test]
fn append_stores_flags_and_internal_date_and_assigns_a_uid_at_once() {
    let (_dir, store) = store();
    store.create_folder("Drafts").unwrap();
    let date = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let flags: Flags = [Flag::Draft, Flag::Seen].into_iter().collect();
    let appended = store
        .append("Drafts", b"draft\r\n", &flags, Some(date))
        .unwrap();
    assert_eq!(appended.uid, 1);
    let second = store
        .append("Drafts", b"again", &Flags::new(), None)
        .unwrap();
    assert_eq!(second.uid, 2);
    let drafts = store.open_folder("Drafts").unwrap();
    assert_eq!(drafts.uidvalidity(), appended.uidvalidity);
    let msg = drafts.by_uid(1).unwrap();
    assert_eq!(msg.id(), appended.id);
    assert_eq!(msg.flags().letters(), "DS");
    assert_eq!(msg.internal_date(), date);
    assert_eq!(msg.size(), 7);
    assert!(!msg.is_recent());
    assert!(names_in(&drafts.dir().join("new")).is_empty());
}

#[test]
fn copy_keeps_flags_and_date_and_reports_uid_pairs() {
    let (_dir, store) = store();
    store.create_folder("Archive").unwrap();
    store
        .append("Archive", b"existing", &Flags::new(), None)
        .unwrap();
    let date = SystemTime::UNIX_EPOCH + Duration::from_secs(1_200_000_000);
    store
        .append(
            "INBOX",
            b"first",
            &[Flag::Seen].into_iter().collect(),
            Some(date),
        )
        .unwrap();
    store
        .append("INBOX", b"second", &Flags::new(), None)
        .unwrap();
    let mut inbox = store.open_folder("INBOX").unwrap();
    let copied = inbox.copy_to(&[2, 1, 2], "Archive").unwrap();
    assert_eq!(copied.uids, [(2, 2), (1, 3)]);
    // The source is untouched.
    assert_eq!(inbox.len(), 2);
    assert_eq!(store.open_folder("INBOX").unwrap().len(), 2);
    let mut archive = store.open_folder("Archive").unwrap();
    assert_eq!(archive.len(), 3, "UID 2, named twice, is copied once");
    assert_eq!(copied.uidvalidity, archive.uidvalidity());
    assert_eq!(archive.read(3).unwrap(), b"first");
    assert_eq!(archive.read(2).unwrap(), b"second");
    let copy = archive.by_uid(3).unwrap();
    assert!(copy.has(Flag::Seen));
    assert_eq!(copy.internal_date(), date);
    assert_ne!(copy.id(), inbox.by_uid(1).unwrap().id());
    // Changing the copy's flags leaves the original alone.
    archive.add_flags(3, &[Flag::Flagged]).unwrap();
    let inbox = store.open_folder("INBOX").unwrap();
    assert!(!inbox.by_uid(1).unwrap().has(Flag::Flagged));
    assert!(matches!(
        store.open_folder("INBOX").unwrap().copy_to(&[1], "Nope"),
        Err(Error::NoSuchFolder(_))
    ));
    assert!(matches!(
        store.open_folder("INBOX").unwrap().copy_to(&[9], "Archive"),
        Err(Error::NoSuchMessage { uid: 9, .. })
    ));
}

#[test]
fn move_transfers_messages_and_expunges_them_from_the_source() {
    let (_dir, store) = store();
    store.create_folder("Junk").unwrap();
    for body in ["a", "b", "c"] {
        store.deliver("INBOX", body.as_bytes()).unwrap();
    }
    let mut inbox = store.open_folder("INBOX").unwrap();
    inbox.add_flags(3, &[Flag::Flagged]).unwrap();
    let body3 = inbox.read(3).unwrap();
    let (copied, expunged) = inbox.move_to(&[1, 3], "Junk").unwrap();
    assert_eq!(copied.uids, [(1, 1), (3, 2)]);
    assert_eq!(
        expunged,
        [Expunged { seq: 3, uid: 3 }, Expunged { seq: 1, uid: 1 }]
    );
    assert_eq!(
        inbox.messages().iter().map(|m| m.uid()).collect::<Vec<_>>(),
        [2]
    );
    let reopened = store.open_folder("INBOX").unwrap();
    assert_eq!(reopened.len(), 1);
    assert_eq!(reopened.uidnext(), 4);
    let mut junk = store.open_folder("Junk").unwrap();
    assert_eq!(junk.len(), 2);
    assert!(junk.by_uid(2).unwrap().has(Flag::Flagged));
    assert_eq!(junk.read(2).unwrap(), body3);
}

#[test]
fn refresh_reports_what_other_sessions_and_deliveries_changed() {
    let (_dir, store) = store();
    store.deliver("INBOX", b"a").unwrap();
    store.deliver("INBOX", b"b").unwrap();
    let mut watcher = store.open_folder("INBOX").unwrap();
    let mut other = store.open_folder("INBOX").unwrap();
    assert!(watcher.refresh().unwrap().is_empty());

    other.add_flags(2, &[Flag::Seen]).unwrap();
    other.remove(&[1]).unwrap();
    store.deliver("INBOX", b"c").unwrap();
    let changes = watcher.refresh().unwrap();
    assert_eq!(changes.expunged, [Expunged { seq: 1, uid: 1 }]);
    assert_eq!(changes.added, [3]);
    assert_eq!(changes.flags_changed, [2]);
    assert!(!changes.uidvalidity_changed);
    assert!(watcher.by_uid(3).unwrap().is_recent());
    assert!(watcher.by_uid(2).unwrap().has(Flag::Seen));
    assert_eq!(watcher.len(), 2);
}

#[test]
fn a_stale_snapshot_finds_renamed_files_and_reports_vanished_ones() {
    let (_dir, store) = store();
    store.deliver("INBOX", b"a").unwrap();
    store.deliver("INBOX", b"b").unwrap();
    let mut stale = store.open_folder("INBOX").unwrap();
    let mut other = store.open_folder("INBOX").unwrap();
    other.add_flags(1, &[Flag::Seen]).unwrap();
    // The stale snapshot's file name for UID 1 is out of date: it finds the file again and
    // adds to the flags on disk.
    let flags = stale.add_flags(1, &[Flag::Flagged]).unwrap();
    assert_eq!(flags.letters(), "FS");
    assert_eq!(stale.read(1).unwrap(), b"a");
    other.remove(&[2]).unwrap();
    assert!(matches!(stale.read(2), Err(Error::Vanished { .. })));
    // Expunging something already gone still reports it.
    stale.add_flags(1, &[Flag::Trashed]).unwrap();
    assert_eq!(stale.expunge().unwrap(), [Expunged { seq: 1, uid: 1 }]);
}

#[test]
fn subscriptions_are_kept_in_a_file() {
    let (_dir, store) = store();
    assert!(store.subscriptions().unwrap().is_empty());
    store.subscribe("Sent").unwrap();
    store.subscribe("inbox").unwrap();
    store.subscribe("Sent").unwrap();
    assert_eq!(store.subscriptions().unwrap(), ["Sent", "INBOX"]);
    assert_eq!(
        fs::read_to_string(store.root().join("subscriptions")).unwrap(),
        "Sent\nINBOX\n"
    );
    assert!(store.unsubscribe("Sent").unwrap());
    assert!(!store.unsubscribe("Sent").unwrap());
    assert_eq!(store.subscriptions().unwrap(), ["INBOX"]);
    assert!(store.subscribe("a..b").is_err());
}

#[test]
fn pop3_view_lists_wire_sizes_and_stable_uidls() {
    let (_dir, store) = store();
    let crlf = store.deliver("INBOX", b"Subject: a\r\n\r\nx\r\n").unwrap();
    // Written by other software with bare LFs: counted as CRLF on the wire.
    fs::write(
        store.root().join("new").join("1700000000.lf.other"),
        b"Subject: b\n\ny\n",
    )
    .unwrap();
    let mut pop = store.pop3().unwrap();
    assert_eq!(pop.stat(), (2, 17 + 17));
    let listing: Vec<(usize, u64, String)> = pop
        .list()
        .map(|m| (m.number(), m.size(), m.uidl().to_owned()))
        .collect();
    assert_eq!(listing.len(), 2);
    assert!(listing.iter().any(|l| l.2 == crlf));
    assert!(listing.iter().any(|l| l.2 == "1700000000.lf.other"));
    let lf_number = listing
        .iter()
        .find(|l| l.2 == "1700000000.lf.other")
        .unwrap()
        .0;
    assert_eq!(pop.read(lf_number).unwrap(), b"Subject: b\r\n\r\ny\r\n");

    // Same UIDLs in a later session.
    let again = store.pop3().unwrap();
    let uidls: Vec<&str> = again.list().map(|m| m.uidl()).collect();
    assert_eq!(
        uidls,
        listing.iter().map(|l| l.2.as_str()).collect::<Vec<_>>()
    );
}

#[test]
fn pop3_deletions_apply_only_at_commit() {
    let (_dir, store) = store();
    for body in ["one\r\n", "two\r\n", "three\r\n"] {
        store.deliver("INBOX", body.as_bytes()).unwrap();
    }
    let mut pop = store.pop3().unwrap();
    pop.delete(2).unwrap();
    assert!(pop.is_deleted(2));
    assert!(pop.get(2).is_none());
    assert!(matches!(pop.delete(2), Err(Error::NoSuchPop3Message(2))));
    assert!(matches!(pop.read(2), Err(Error::NoSuchPop3Message(2))));
    assert!(matches!(pop.delete(0), Err(Error::NoSuchPop3Message(0))));
    assert!(matches!(pop.delete(4), Err(Error::NoSuchPop3Message(4))));
    assert_eq!(pop.stat().0, 2);
    pop.reset();
    assert_eq!(pop.stat().0, 3);

    pop.delete(1).unwrap();
    // A session that ends without QUIT deletes nothing.
    drop(pop);
    assert_eq!(store.pop3().unwrap().stat().0, 3);

    let mut pop = store.pop3().unwrap();
    let kept = pop.get(3).unwrap().uidl().to_owned();
    let gone = pop.get(1).unwrap().uidl().to_owned();
    pop.delete(1).unwrap();
    pop.delete(2).unwrap();
    let removed = pop.commit().unwrap();
    assert_eq!(removed.len(), 2);
    assert!(removed.contains(&gone));
    let after = store.pop3().unwrap();
    assert_eq!(after.stat(), (1, 7));
    assert_eq!(after.get(1).unwrap().uidl(), kept);
}

#[test]
fn crlf_conversion_counts_and_converts_only_bare_lf() {
    assert_eq!(crlf_len(b"a\r\nb\nc"), 7);
    assert_eq!(to_crlf(b"a\r\nb\nc").as_ref(), b"a\r\nb\r\nc");
    assert!(matches!(to_crlf(b"a\r\n"), std::borrow::Cow::Borrowed(_)));
    assert_eq!(to_crlf(b"\n\n").as_ref(), b"\r\n\r\n");
}

#[test]
fn the_change_counter_moves_on_every_change_for_idle_sessions() {
    let (_dir, store) = store();
    let mut watcher = store.watch();
    watcher.borrow_and_update();
    let mut inbox = store.open_folder("INBOX").unwrap();
    assert!(
        !watcher.has_changed().unwrap(),
        "an empty open changes nothing"
    );
    store.deliver("INBOX", b"new mail").unwrap();
    assert!(watcher.has_changed().unwrap());
    watcher.borrow_and_update();
    // Picking up the delivery assigns a UID: that is a change for other sessions too.
    assert_eq!(inbox.refresh().unwrap().added, [1]);
    assert!(watcher.has_changed().unwrap());
    watcher.borrow_and_update();
    assert!(inbox.refresh().unwrap().is_empty());
    assert!(
        !watcher.has_changed().unwrap(),
        "a quiet refresh does not wake anyone"
    );
    inbox.add_flags(1, &[Flag::Seen]).unwrap();
    assert!(watcher.has_changed().unwrap());
    watcher.borrow_and_update();
    // Files dropped into new/ by other software are noticed when some snapshot refreshes.
    fs::write(store.root().join("new").join("1.ext.other"), b"x").unwrap();
    assert!(!watcher.has_changed().unwrap());
    assert_eq!(inbox.refresh().unwrap().added, [2]);
    assert!(watcher.has_changed().unwrap());
}

#[test]
fn stale_debris_in_tmp_is_cleaned_up_but_fresh_files_stay() {
    let (_dir, store) = store();
    let tmp = store.root().join("tmp");
    fs::write(tmp.join("old"), b"left by a crashed delivery").unwrap();
    fs::write(tmp.join("fresh"), b"being delivered right now").unwrap();
    let two_days_ago = SystemTime::now() - Duration::from_secs(48 * 3600);
    fs::File::options()
        .write(true)
        .open(tmp.join("old"))
        .unwrap()
        .set_modified(two_days_ago)
        .unwrap();
    store.open_folder("INBOX").unwrap();
    assert_eq!(names_in(&tmp), ["fresh"]);
}

#[test]
fn store_handles_and_snapshots_can_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Maildir>();
    send_sync::<mail_examples::maildir::Mailbox>();
    send_sync::<mail_examples::maildir::Pop3View>();
}

#[test]
fn inbox_is_canonical_as_the_first_level_of_longer_names() {
    let (_dir, store) = store();
    store.create_folder("inbox.Sub").unwrap();
    assert_eq!(store.folders().unwrap(), ["INBOX", "INBOX.Sub"]);
    assert!(store.root().join(".INBOX.Sub").is_dir());
    assert!(store.folder_exists("Inbox.Sub"));
    assert!(matches!(
        store.rename_folder("INBOX.Sub", "INBOX.Sub.Deeper"),
        Err(Error::InvalidFolderName { .. })
    ));
}

#[test]
fn copying_into_the_same_folder_adds_new_uids_seen_on_refresh() {
    let (_dir, store) = store();
    store.deliver("INBOX", b"x").unwrap();
    let mut inbox = store.open_folder("INBOX").unwrap();
    let copied = inbox.copy_to(&[1], "INBOX").unwrap();
    assert_eq!(copied.uids, [(1, 2)]);
    assert_eq!(inbox.uidnext(), 3);
    let changes = inbox.refresh().unwrap();
    assert_eq!(changes.added, [2]);
    assert_eq!(inbox.read(2).unwrap(), b"x");
}

#[test]
fn a_message_without_info_gets_one_when_flagged() {
    let (_dir, store) = store();
    fs::write(store.root().join("cur").join("1.noinfo.host"), b"m").unwrap();
    let mut inbox = store.open_folder("INBOX").unwrap();
    assert_eq!(inbox.messages()[0].id(), "1.noinfo.host");
    inbox.add_flags(1, &[Flag::Seen]).unwrap();
    assert_eq!(names_in(&store.root().join("cur")), ["1.noinfo.host:2,S"]);
}

#[test]
fn names_that_are_not_valid_uidls_get_a_stable_substitute() {
    let (_dir, store) = store();
    fs::write(store.root().join("cur").join("1 with space.host:2,"), b"m").unwrap();
    let long = format!("1.{}.host", "x".repeat(80));
    fs::write(store.root().join("cur").join(&long), b"n").unwrap();
    let pop = store.pop3().unwrap();
    let uidvalidity = store.open_folder("INBOX").unwrap().uidvalidity();
    let mut uidls: Vec<String> = pop.list().map(|m| m.uidl().to_owned()).collect();
    uidls.sort();
    assert_eq!(
        uidls,
        [format!("{uidvalidity}.1"), format!("{uidvalidity}.2")]
    );
    let again: Vec<String> = store
        .pop3()
        .unwrap()
        .list()
        .map(|m| m.uidl().to_owned())
        .collect();
    let mut again = again;
    again.sort();
    assert_eq!(again, uidls);
}

#[test]
fn a_message_deleted_behind_a_pop3_session_is_reported_not_panicked_on() {
    let (_dir, store) = store();
    store.deliver("INBOX", b"x").unwrap();
    let mut pop = store.pop3().unwrap();
    for name in names_in(&store.root().join("cur")) {
        fs::remove_file(store.root().join("cur").join(name)).unwrap();
    }
    assert!(matches!(pop.read(1), Err(Error::Vanished { .. })));
    pop.delete(1).unwrap();
    assert_eq!(pop.commit().unwrap().len(), 1);
}

/// A second, obviously correct formulation: split at LF and end every piece but the last
/// with CRLF.
fn crlf_reference(bytes: &[u8]) -> Vec<u8> {
    let pieces: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let mut out = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        out.extend_from_slice(piece);
        if i + 1 < pieces.len() {
            if !piece.ends_with(b"\r") {
                out.push(b'\r');
            }
            out.push(b'\n');
        }
    }
    out
}

proptest::proptest! {
    #[test]
    fn crlf_conversion_matches_a_reference(bytes in proptest::collection::vec(
        proptest::sample::select(vec![b'a', b'\r', b'\n', b'.']), 0..64)
    ) {
        let converted = to_crlf(&bytes).into_owned();
        proptest::prop_assert_eq!(&converted, &crlf_reference(&bytes));
        proptest::prop_assert_eq!(converted.len() as u64, crlf_len(&bytes));
        let again = to_crlf(&converted).into_owned();
        proptest::prop_assert_eq!(again, converted);
    }
}
