# Sourced by the scripts, not run: the one nightly the project uses, for the Windows 7 exe
# (x86_64-win7-windows-gnu, -Zbuild-std) and for fuzzing. Dated, so that every machine builds
# with the compiler CI tested (rustc 1.101.0-nightly 92b5b8c87 2026-10-29); change it here and
# in CONTRIBUTING.md, then run scripts/test-all.
NIGHTLY=nightly-2026-10-30
