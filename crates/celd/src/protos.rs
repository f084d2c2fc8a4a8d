//! Message types at run time: `.proto` files compiled with protox, or serialized descriptor sets.

use std::path::{Path, PathBuf};

use prost_reflect::DescriptorPool;
use prost_reflect::prost::Message;
use prost_reflect::prost_types::FileDescriptorSet;

use crate::error::Error;

/// Where message types come from: `.proto` source files (with include directories) and
/// serialized `google.protobuf.FileDescriptorSet` files (`protoc --descriptor_set_out`).
#[derive(Clone, Debug, Default)]
pub struct ProtoSources {
    pub proto_files: Vec<PathBuf>,
    /// Directories imports are resolved in; each proto file's own directory is tried too.
    pub include_dirs: Vec<PathBuf>,
    pub descriptor_sets: Vec<PathBuf>,
}

impl ProtoSources {
    pub fn is_empty(&self) -> bool {
        self.proto_files.is_empty() && self.descriptor_sets.is_empty()
    }

    /// Compiles and loads everything into one pool (with the well-known types).
    pub fn load(&self) -> Result<DescriptorPool, Error> {
        let mut pool = DescriptorPool::global();
        if !self.proto_files.is_empty() {
            let set = compile_protos(&self.proto_files, &self.include_dirs)?;
            add_set(&mut pool, set, "compiled protos")?;
        }
        for path in &self.descriptor_sets {
            let bytes = std::fs::read(path)
                .map_err(|e| Error::env(format!("descriptor set {}: {e}", path.display())))?;
            add_encoded_set(
                &mut pool,
                &bytes,
                &format!("descriptor set {}", path.display()),
            )?;
        }
        Ok(pool)
    }
}

/// The message types of a serialized `google.protobuf.FileDescriptorSet`
/// (`protoc --descriptor_set_out`), with the well-known types; an `env` error when the bytes
/// are not a valid set.
pub fn pool_from_descriptor_set(bytes: &[u8]) -> Result<DescriptorPool, Error> {
    let mut pool = DescriptorPool::global();
    add_encoded_set(&mut pool, bytes, "descriptor set")?;
    Ok(pool)
}

fn add_encoded_set(pool: &mut DescriptorPool, bytes: &[u8], what: &str) -> Result<(), Error> {
    let set = FileDescriptorSet::decode(bytes)
        .map_err(|e| Error::env(format!("{what}: not a FileDescriptorSet: {e}")))?;
    add_set(pool, set, what)
}

fn add_set(pool: &mut DescriptorPool, set: FileDescriptorSet, what: &str) -> Result<(), Error> {
    pool.add_file_descriptor_set(set)
        .map_err(|e| Error::env(format!("{what}: {e}")))
}

/// Compiles `.proto` files with protox, finding them as `protoc` does: a file that exists (as
/// given, from the current directory) is compiled from there, with its own directory as an
/// include directory; any other relative path names a file under one of `include_dirs`
/// (`--proto-path proto --proto pkg/shop.proto`). Imports resolve in the include directories.
fn compile_protos(files: &[PathBuf], include_dirs: &[PathBuf]) -> Result<FileDescriptorSet, Error> {
    let mut includes: Vec<PathBuf> = include_dirs.to_vec();
    for file in files {
        if file.is_file() {
            let dir = file
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if !includes.iter().any(|i| i == dir) {
                includes.push(dir.to_path_buf());
            }
        } else if file.is_absolute() || !include_dirs.iter().any(|d| d.join(file).is_file()) {
            return Err(Error::env(no_such_file(file, include_dirs)));
        }
    }
    protox::compile(files, &includes).map_err(|e| Error::env(format!("compiling protos: {e}")))
}

fn no_such_file(file: &Path, include_dirs: &[PathBuf]) -> String {
    let mut message = format!("proto file {}: no such file", file.display());
    if !include_dirs.is_empty() && file.is_relative() {
        let dirs: Vec<String> = include_dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        message.push_str(&format!(" (nor under {})", dirs.join(", ")));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("celd-protos-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn proto_files_compile_into_a_pool_with_their_imports() {
        let dir = temp_dir("ok");
        std::fs::write(
            dir.join("shop.proto"),
            "syntax = \"proto3\"; package shop; import \"google/protobuf/timestamp.proto\";\n\
             message Order { string id = 1; google.protobuf.Timestamp placed = 2; }",
        )
        .unwrap();
        let sources = ProtoSources {
            proto_files: vec![dir.join("shop.proto")],
            ..ProtoSources::default()
        };
        let pool = sources.load().unwrap();
        assert!(pool.get_message_by_name("shop.Order").is_some());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_inputs_are_env_errors_that_say_what_failed() {
        let dir = temp_dir("bad");
        std::fs::write(dir.join("bad.proto"), "syntax = \"proto3\"; message {").unwrap();
        std::fs::write(dir.join("not-a-set.pb"), b"\xff\xff\xff").unwrap();
        let bad_proto = ProtoSources {
            proto_files: vec![dir.join("bad.proto")],
            ..ProtoSources::default()
        };
        let e = bad_proto.load().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Env);
        assert!(
            e.message().starts_with("compiling protos:"),
            "{}",
            e.message()
        );
        let bad_set = ProtoSources {
            descriptor_sets: vec![dir.join("not-a-set.pb")],
            ..ProtoSources::default()
        };
        assert!(
            bad_set
                .load()
                .unwrap_err()
                .message()
                .contains("not a FileDescriptorSet")
        );
        let missing = ProtoSources {
            descriptor_sets: vec![dir.join("missing.pb")],
            ..ProtoSources::default()
        };
        assert!(missing.load().unwrap_err().message().contains("missing.pb"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn encoded_sets_load_with_the_well_known_types() {
        let dir = temp_dir("set");
        std::fs::write(
            dir.join("shop.proto"),
            "syntax = \"proto3\"; package shop; import \"google/protobuf/struct.proto\";\n\
             message Order { google.protobuf.Struct extra = 1; }",
        )
        .unwrap();
        let set = compile_protos(&[dir.join("shop.proto")], &[]).unwrap();
        let pool = pool_from_descriptor_set(&set.encode_to_vec()).unwrap();
        assert!(pool.get_message_by_name("shop.Order").is_some());
        assert!(
            pool.get_message_by_name("google.protobuf.Duration")
                .is_some()
        );
        std::fs::remove_dir_all(&dir).unwrap();
        let e = pool_from_descriptor_set(b"\xff\xff\xff").unwrap_err();
        assert!(
            e.message()
                .starts_with("descriptor set: not a FileDescriptorSet"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn files_are_found_as_protoc_finds_them() {
        let dir = temp_dir("paths");
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(
            dir.join("pkg/shop.proto"),
            "syntax = \"proto3\"; package shop; message Order { string id = 1; }",
        )
        .unwrap();
        // A path relative to an include directory, as `protoc -I DIR pkg/shop.proto` takes it.
        let under_include = ProtoSources {
            proto_files: vec![PathBuf::from("pkg/shop.proto")],
            include_dirs: vec![dir.clone()],
            ..ProtoSources::default()
        };
        let pool = under_include.load().unwrap();
        assert!(pool.get_message_by_name("shop.Order").is_some());
        let missing = ProtoSources {
            proto_files: vec![PathBuf::from("pkg/nope.proto")],
            include_dirs: vec![dir.clone()],
            ..ProtoSources::default()
        };
        assert_eq!(
            missing.load().unwrap_err().message(),
            format!(
                "proto file pkg/nope.proto: no such file (nor under {})",
                dir.display()
            )
        );
        let alone = ProtoSources {
            proto_files: vec![dir.join("pkg/absent.proto")],
            ..ProtoSources::default()
        };
        assert!(
            alone
                .load()
                .unwrap_err()
                .message()
                .ends_with("absent.proto: no such file")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
