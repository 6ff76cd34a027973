use std::os::unix::fs::{PermissionsExt, symlink};

use super::*;

const CAP: u64 = 1024;

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".github")).unwrap();
    std::fs::write(dir.path().join(".github/dependabot.yml"), "version: 2\n").unwrap();
    dir
}

fn read(root: &Path, rel: &str) -> Result<Vec<u8>, ReadError> {
    read_repo_file(root, Path::new(rel), CAP)
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn reads_a_regular_file() {
    let dir = repo();
    assert_eq!(
        read(dir.path(), ".github/dependabot.yml").unwrap(),
        b"version: 2\n"
    );
}

#[test]
fn a_missing_file_is_not_found() {
    let dir = repo();
    assert!(
        read(dir.path(), ".github/other.yml")
            .unwrap_err()
            .is_not_found()
    );
    assert!(
        read(dir.path(), "nope/other.yml")
            .unwrap_err()
            .is_not_found()
    );
}

#[test]
fn paths_leaving_the_root_are_refused() {
    let dir = repo();
    for rel in ["../x", "/etc/passwd", "", ".github/../x", "./x"] {
        assert!(
            matches!(read(dir.path(), rel), Err(ReadError::BadPath)),
            "{rel}"
        );
    }
}

#[test]
fn a_symlinked_file_is_refused_wherever_it_points() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "CANARY").unwrap();
    let dir = repo();
    std::fs::remove_file(dir.path().join(".github/dependabot.yml")).unwrap();
    symlink(
        outside.path().join("secret"),
        dir.path().join(".github/dependabot.yml"),
    )
    .unwrap();
    symlink("dependabot.yml", dir.path().join(".github/inside.yml")).unwrap();
    let e = read(dir.path(), ".github/dependabot.yml").unwrap_err();
    assert!(matches!(e, ReadError::Symlink(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        ".github/dependabot.yml is a symlink; drydock does not follow symlinks in a repository"
    );
    assert!(matches!(
        read(dir.path(), ".github/inside.yml"),
        Err(ReadError::Symlink(_))
    ));
}

#[test]
fn a_symlinked_directory_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("dependabot.yml"), "CANARY").unwrap();
    let dir = tempfile::tempdir().unwrap();
    symlink(outside.path(), dir.path().join(".github")).unwrap();
    let e = read(dir.path(), ".github/dependabot.yml").unwrap_err();
    assert_eq!(
        e.to_string(),
        ".github is a symlink; drydock does not follow symlinks in a repository"
    );
}

#[test]
fn a_device_is_refused_without_reading() {
    let e = read_repo_file(Path::new("/dev"), Path::new("zero"), CAP).unwrap_err();
    assert_eq!(
        e.to_string(),
        "zero is a character device, not a regular file"
    );
}

#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = repo();
    rustix::fs::mknodat(
        CWD,
        dir.path().join("fifo"),
        FileType::Fifo,
        Mode::from_raw_mode(0o644),
        0,
    )
    .unwrap();
    let e = read(dir.path(), "fifo").unwrap_err();
    assert_eq!(e.to_string(), "fifo is a FIFO, not a regular file");
}

#[test]
fn a_directory_in_place_of_a_file_and_the_reverse_are_refused() {
    let dir = repo();
    assert_eq!(
        read(dir.path(), ".github").unwrap_err().to_string(),
        ".github is a directory, not a regular file"
    );
    assert_eq!(
        read(dir.path(), ".github/dependabot.yml/x")
            .unwrap_err()
            .to_string(),
        ".github/dependabot.yml is a regular file, not a directory"
    );
}

#[test]
fn a_file_over_the_cap_is_refused_and_one_at_the_cap_is_read() {
    let dir = repo();
    std::fs::write(dir.path().join("big"), vec![b'a'; CAP as usize + 1]).unwrap();
    std::fs::write(dir.path().join("fits"), vec![b'a'; CAP as usize]).unwrap();
    let e = read(dir.path(), "big").unwrap_err();
    assert_eq!(
        e.to_string(),
        "the file is larger than the cap of 1024 bytes (`[scan] max_file_bytes`)"
    );
    assert_eq!(read(dir.path(), "fits").unwrap().len(), CAP as usize);
}

#[test]
fn write_atomic_creates_and_replaces_keeping_the_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    write_atomic(&path, b"one").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"one");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o750)).unwrap();
    write_atomic(&path, b"two").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"two");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o750);
    assert_eq!(
        names(dir.path()),
        ["state.json"],
        "no temporary file is left"
    );
}

#[test]
fn write_atomic_refuses_a_symlink_target() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "untouched").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    symlink(&victim, &path).unwrap();
    let e = write_atomic(&path, b"FROM evil").unwrap_err();
    assert!(matches!(e, WriteError::Symlink { .. }), "{e:?}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    assert!(path.symlink_metadata().unwrap().file_type().is_symlink());
    assert_eq!(names(dir.path()), ["Dockerfile"]);
}

#[test]
fn write_atomic_refuses_a_hard_linked_target() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dependabot.yml");
    std::fs::write(&path, "old").unwrap();
    std::fs::hard_link(&path, dir.path().join("other")).unwrap();
    let e = write_atomic(&path, b"new").unwrap_err();
    assert!(e.to_string().contains("it has 2 hard links"), "{e}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("other")).unwrap(),
        "old"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
}

#[test]
fn write_atomic_ignores_a_planted_temporary_file_symlink() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "untouched").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, "FROM a").unwrap();
    symlink(&victim, dir.path().join(".Dockerfile.drydock-tmp")).unwrap();
    write_atomic(&path, b"FROM b").unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    assert!(path.symlink_metadata().unwrap().file_type().is_file());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "FROM b");
}

#[test]
fn write_atomic_refuses_a_directory_and_a_bad_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("d")).unwrap();
    let e = write_atomic(&dir.path().join("d"), b"x").unwrap_err();
    assert!(
        matches!(
            e,
            WriteError::NotRegular {
                kind: "directory",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(matches!(
        write_atomic(Path::new("/"), b"x"),
        Err(WriteError::BadPath(_))
    ));
}

#[test]
fn write_repo_file_creates_directories_but_never_through_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    write_repo_file(dir.path(), Path::new(".github/workflows/x.yml"), b"a").unwrap();
    assert_eq!(
        std::fs::read(dir.path().join(".github/workflows/x.yml")).unwrap(),
        b"a"
    );

    let outside = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    symlink(outside.path(), other.path().join(".github")).unwrap();
    let e = write_repo_file(other.path(), Path::new(".github/dependabot.yml"), b"a").unwrap_err();
    assert!(e.to_string().contains(".github is a symlink"), "{e}");
    assert!(names(outside.path()).is_empty());
    assert!(matches!(
        write_repo_file(other.path(), Path::new("../x"), b"a"),
        Err(WriteError::BadPath(_))
    ));
}

#[test]
fn a_named_file_follows_symlinks_but_reads_only_a_capped_regular_file() {
    let dir = repo();
    symlink(
        dir.path().join(".github/dependabot.yml"),
        dir.path().join("link"),
    )
    .unwrap();
    assert_eq!(
        read_named_file(&dir.path().join("link"), CAP).unwrap(),
        b"version: 2\n"
    );
    let e = read_named_file(Path::new("/dev/zero"), CAP).unwrap_err();
    assert_eq!(
        e.to_string(),
        "/dev/zero is a character device, not a regular file"
    );
    std::fs::write(dir.path().join("big"), vec![b'a'; CAP as usize + 1]).unwrap();
    assert!(matches!(
        read_named_file(&dir.path().join("big"), CAP),
        Err(ReadError::TooLarge { cap: CAP })
    ));
    assert!(
        read_named_file(&dir.path().join("nope"), CAP)
            .unwrap_err()
            .is_not_found()
    );
}
