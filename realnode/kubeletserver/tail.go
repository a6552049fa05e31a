package kubeletserver

import (
	"bytes"
	"io"
)

// tailChunk is how much of a log file tailOffset reads at a time.
const tailChunk = 32 << 10

// tailOffset returns the offset where the last n lines of f begin,
// reading backwards from the end one chunk at a time, so a large log costs
// only as much as the lines asked for. A line ends at '\n'; a last line
// without one still counts. n == 0 returns the end of the file.
func tailOffset(f io.ReaderAt, size int64, n int64) (int64, error) {
	if n == 0 || size == 0 {
		return size, nil
	}
	end := size
	// A newline that ends the file ends the last line; it separates nothing.
	var last [1]byte
	if _, err := f.ReadAt(last[:], size-1); err != nil {
		return 0, err
	}
	if last[0] == '\n' {
		end--
	}
	buf := make([]byte, tailChunk)
	for end > 0 {
		start := max(end-tailChunk, 0)
		chunk := buf[:end-start]
		if _, err := f.ReadAt(chunk, start); err != nil && err != io.EOF {
			return 0, err
		}
		for {
			i := bytes.LastIndexByte(chunk, '\n')
			if i < 0 {
				break
			}
			if n--; n == 0 {
				return start + int64(i) + 1, nil
			}
			chunk = chunk[:i]
		}
		end = start
	}
	return 0, nil
}
