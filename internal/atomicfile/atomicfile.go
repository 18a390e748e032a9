// Package atomicfile writes a file so that a reader sees the old contents or
// the new ones, never a part: a temporary file in the same directory,
// synced, then renamed over the target. On Unix it is renameio's WriteFile;
// on Windows, which renameio does not support, a temporary file and
// os.Rename (MoveFileEx with replace), so dingwatch builds for every target
// of the release script.
package atomicfile
