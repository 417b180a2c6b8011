//! Writes the barcode-reading fixtures (`wxcv_emulator::fixture_gen`) and their manifest to the
//! workspace's `tests/fixtures/`, which every binding's suite reads. The emulator's decode tests
//! fail when the committed files differ from what this draws; run it again after changing them.

use std::path::Path;

use wxcv_emulator::fixture_gen;

fn main() -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    std::fs::create_dir_all(&dir)?;
    let dir = dir.canonicalize()?;
    let fixtures = fixture_gen::all();
    for fixture in &fixtures {
        std::fs::write(dir.join(fixture.file), &fixture.bytes)?;
        println!("{:>9} bytes  {}", fixture.bytes.len(), fixture.file);
    }
    std::fs::write(dir.join("manifest.json"), fixture_gen::manifest(&fixtures))?;
    println!("{} fixtures and manifest.json in {}", fixtures.len(), dir.display());
    Ok(())
}
