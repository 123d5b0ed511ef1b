package sandbox

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math"
)

// The bytes of output files: small, deterministic, and valid enough that a
// decoder or a file-type sniffer accepts them (PNG decodes with image/png;
// WAV has a RIFF header; MP3 is a run of MPEG-1 Layer III frame headers;
// MP4 starts with an ftyp box). They are generated once, when a job is
// first shown succeeded.

// thumbScale divides requested image sizes: a 1024×1024 request gives a
// 64×64 PNG, keeping downloads and hashing cheap in benchmarks. The
// output's width and height describe the file as served.
const thumbScale = 16

func thumbSide(requested int) int { return max(requested/thumbScale, 16) }

// pngBytes draws a gradient whose colours come from seed and index.
func pngBytes(w, h int, seed int64, index int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r0, g0, b0 := byte(seed), byte(seed>>8), byte(seed>>16)+byte(index*40)
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{R: r0 + byte(x*255/w), G: g0 + byte(y*255/h), B: b0 + byte((x+y)*2), A: 255})
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // writing to a bytes.Buffer cannot fail
	return buf.Bytes()
}

// wavRate is the sample rate of generated speech: 8 kHz, 8-bit mono PCM.
const wavRate = 8000

// wavBytes is a canonical 44-byte RIFF/WAVE header and a tone.
func wavBytes(seconds float64, seed int64) []byte {
	n := int(seconds * wavRate)
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	le(uint32(36 + n))
	b.WriteString("WAVEfmt ")
	le(uint32(16))      // fmt chunk size
	le(uint16(1))       // PCM
	le(uint16(1))       // mono
	le(uint32(wavRate)) // sample rate
	le(uint32(wavRate)) // byte rate
	le(uint16(1))       // block align
	le(uint16(8))       // bits per sample
	b.WriteString("data")
	le(uint32(n))
	freq := 200 + float64(seed%400)
	for i := range n {
		b.WriteByte(byte(128 + 60*math.Sin(2*math.Pi*freq*float64(i)/wavRate)))
	}
	return b.Bytes()
}

// MP3 frames: MPEG-1 Layer III, 32 kbit/s, 32 kHz, mono, no CRC, no
// padding: 144·32000/32000 = 144 bytes and 1152 samples (36 ms) a frame.
var mp3Header = [4]byte{0xFF, 0xFB, 0x18, 0xC0}

const (
	mp3FrameBytes   = 144
	mp3FrameSeconds = 1152.0 / 32000
)

func mp3Bytes(seconds float64) []byte {
	frames := max(int(math.Ceil(seconds/mp3FrameSeconds)), 1)
	out := make([]byte, 0, frames*mp3FrameBytes)
	for range frames {
		out = append(out, mp3Header[:]...)
		out = append(out, make([]byte, mp3FrameBytes-len(mp3Header))...) // side info and data: silence
	}
	return out
}

// mp4Bytes is an ftyp box (isom) followed by an mdat box of filler: enough
// for file-type sniffing, 2 KB per second of video.
func mp4Bytes(seconds int, seed int64) []byte {
	var b bytes.Buffer
	be := func(v any) { _ = binary.Write(&b, binary.BigEndian, v) }
	be(uint32(32))
	b.WriteString("ftypisom")
	be(uint32(0x200))
	b.WriteString("isomiso2avc1mp41")
	n := seconds * 2000
	be(uint32(8 + n))
	b.WriteString("mdat")
	x := uint32(seed) | 1
	for range n {
		x ^= x << 13 // xorshift: deterministic filler that does not compress to nothing
		x ^= x >> 17
		x ^= x << 5
		b.WriteByte(byte(x))
	}
	return b.Bytes()
}
