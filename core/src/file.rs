//! A file a user hands to a call (a signature image): its bytes as the
//! binding got them (Python `bytes`, Node `Buffer`), or a path core reads.
//! Bindings tag what they pass (`{"$bytes": base64}`, `{"$path": text}`),
//! and only a path the user passed as one (Python `os.PathLike`, Node a
//! `file:` URL) is read: a plain string is refused, since it is so often
//! data from a request (base64 from a browser) that would name a server file.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::spec::{SpecType, TypeSpec};

/// The most a file parameter reads: a path to a larger file is refused
/// before it is read whole.
pub const MAX_FILE_BYTES: u64 = 8 << 20;

#[derive(Clone, PartialEq, Eq)]
pub struct FileInput {
    pub bytes: Vec<u8>,
    /// The file's name when it came from a path.
    pub name: Option<String>,
}

impl FileInput {
    /// What a binding passes for a host bytes object.
    pub fn tagged_bytes(bytes: &[u8]) -> Value {
        json!({ "$bytes": STANDARD.encode(bytes) })
    }

    pub fn base64(&self) -> String {
        STANDARD.encode(&self.bytes)
    }

    /// A regular file only (not a FIFO or `/dev/zero`, whose size says
    /// nothing), and never more than the limit, however it grows meanwhile.
    fn read(path: &str) -> Result<FileInput, String> {
        use std::io::Read as _;
        let failed = |e: std::io::Error| format!("could not read the file: {}", e.kind());
        let file = std::fs::File::open(path).map_err(failed)?;
        if !file.metadata().map_err(failed)?.is_file() {
            return Err("is not a regular file".into());
        }
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(failed)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(format!("is larger than the {MAX_FILE_BYTES} bytes a file parameter reads"));
        }
        let name = std::path::Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned());
        Ok(FileInput { bytes, name })
    }
}

/// Its size, never its bytes: a file can be anything a user holds.
impl fmt::Debug for FileInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileInput({} bytes, {:?})", self.bytes.len(), self.name)
    }
}

impl<'de> Deserialize<'de> for FileInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(_) => Err(de::Error::custom("must be bytes, or a path passed as one (Python pathlib.Path, Node a file: URL), not a string")),
            Value::Object(tagged) if tagged.len() == 1 => match (tagged.get("$bytes"), tagged.get("$path")) {
                (Some(Value::String(b64)), _) => {
                    let bytes = STANDARD.decode(b64).map_err(|_| de::Error::custom("the bytes passed are not valid base64"))?;
                    Ok(FileInput { bytes, name: None })
                }
                (_, Some(Value::String(path))) => FileInput::read(path).map_err(de::Error::custom),
                _ => Err(de::Error::custom("must be bytes or a path")),
            },
            _ => Err(de::Error::custom("must be bytes or a path")),
        }
    }
}

/// On the wire: base64, as Paynet's `pars_base64` takes it.
impl crate::wire::WireValue for FileInput {
    fn wire_value(&self) -> Option<Value> {
        Some(Value::String(self.base64()))
    }
}

impl SpecType for FileInput {
    fn type_spec() -> TypeSpec {
        TypeSpec::File
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_and_paths_are_read_and_never_shown() {
        let tagged = FileInput::tagged_bytes(b"\x89PNG\r\n");
        let file: FileInput = serde_json::from_value(tagged).unwrap();
        assert_eq!(file.bytes, b"\x89PNG\r\n");
        assert_eq!(format!("{file:?}"), "FileInput(6 bytes, None)");
        let dir = std::env::temp_dir().join(format!("paynet-file-{}", std::process::id()));
        std::fs::write(&dir, b"GIF89a").unwrap();
        let file: FileInput = serde_json::from_value(json!({"$path": dir.to_str().unwrap()})).unwrap();
        assert_eq!((file.bytes.as_slice(), file.name.is_some()), (&b"GIF89a"[..], true));
        std::fs::remove_file(&dir).unwrap();
        // A plain string is data far too often to be read as a server path.
        assert!(serde_json::from_value::<FileInput>(json!(dir.to_str().unwrap())).unwrap_err().to_string().contains("not a string"));
        assert!(serde_json::from_value::<FileInput>(json!({"$path": "/no/such/file"})).unwrap_err().to_string().contains("could not read"));
        assert!(serde_json::from_value::<FileInput>(json!({"$path": "/dev/zero"})).unwrap_err().to_string().contains("not a regular file"));
        assert!(serde_json::from_value::<FileInput>(json!({"$bytes": "***"})).is_err());
        assert!(serde_json::from_value::<FileInput>(json!(12)).is_err());
    }
}
