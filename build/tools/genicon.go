//go:build ignore

// genicon draws the CloudBridge (云桥) application icon: a white cloud above a bridge
// on a blue-to-teal rounded square. Every size is rendered from the vector shapes
// with 4x4 supersampling, so the small .ico frames stay sharp.
//
//	go run build/tools/genicon.go            # writes build/appicon.png and build/windows/icon.ico
package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

type rgba struct{ r, g, b, a float64 } // premultiplied, 0..1

func over(dst, src rgba) rgba {
	k := 1 - src.a
	return rgba{src.r + dst.r*k, src.g + dst.g*k, src.b + dst.b*k, src.a + dst.a*k}
}

func col(hex uint32, a float64) rgba {
	r := float64(hex>>16&0xff) / 255
	g := float64(hex>>8&0xff) / 255
	b := float64(hex&0xff) / 255
	return rgba{r * a, g * a, b * a, a}
}

func lerp(a, b rgba, t float64) rgba {
	return rgba{a.r + (b.r-a.r)*t, a.g + (b.g-a.g)*t, a.b + (b.b-a.b)*t, a.a + (b.a-a.a)*t}
}

// Signed distances (negative inside), coordinates in [0,1].
func circle(x, y, cx, cy, r float64) float64 { return math.Hypot(x-cx, y-cy) - r }

func roundRect(x, y, x0, y0, x1, y1, r float64) float64 {
	cx, cy := (x0+x1)/2, (y0+y1)/2
	hx, hy := (x1-x0)/2-r, (y1-y0)/2-r
	dx, dy := math.Abs(x-cx)-hx, math.Abs(y-cy)-hy
	out := math.Hypot(math.Max(dx, 0), math.Max(dy, 0))
	return out + math.Min(math.Max(dx, dy), 0) - r
}

func capsule(x, y, ax, ay, bx, by, r float64) float64 {
	px, py := x-ax, y-ay
	vx, vy := bx-ax, by-ay
	t := math.Max(0, math.Min(1, (px*vx+py*vy)/(vx*vx+vy*vy)))
	return math.Hypot(px-vx*t, py-vy*t) - r
}

func union(d ...float64) float64 {
	m := d[0]
	for _, v := range d[1:] {
		m = math.Min(m, v)
	}
	return m
}

func cloud(x, y float64) float64 {
	return union(
		circle(x, y, 0.365, 0.425, 0.105),
		circle(x, y, 0.505, 0.345, 0.150),
		circle(x, y, 0.645, 0.420, 0.110),
		capsule(x, y, 0.36, 0.465, 0.65, 0.465, 0.065),
	)
}

// The bridge: a deck, an arch below it through (0.22,0.84) (0.5,0.685) (0.78,0.84),
// two spandrel posts between them and two abutments.
func bridge(x, y float64) float64 {
	const deckY, footY = 0.655, 0.845
	const ax0, ax1, top = 0.22, 0.78, 0.69
	half := (ax1 - ax0) / 2
	cy := (half*half + footY*footY - top*top) / (2 * (footY - top))
	r := cy - top
	arch := math.Abs(math.Hypot(x-0.5, y-cy)-r) - 0.022
	if y > footY {
		arch = math.Max(arch, y-footY)
	}
	d := union(
		capsule(x, y, 0.17, deckY, 0.83, deckY, 0.024),
		arch,
		capsule(x, y, ax0, deckY+0.01, ax0, footY, 0.024),
		capsule(x, y, ax1, deckY+0.01, ax1, footY, 0.024),
	)
	for _, px := range []float64{0.32, 0.68} {
		// post from the deck down to the arch
		ay := cy - math.Sqrt(r*r-(px-0.5)*(px-0.5))
		d = math.Min(d, capsule(x, y, px, deckY, px, ay, 0.012))
	}
	return d
}

func shade(x, y float64) rgba {
	var c rgba
	bg := roundRect(x, y, 0.03, 0.03, 0.97, 0.97, 0.215)
	if bg > 0 {
		return c
	}
	t := math.Max(0, math.Min(1, (x*0.45+y*0.85)/1.3))
	c = lerp(col(0x2458F5, 1), col(0x10B8C8, 1), t)
	// soft light from the top
	c = over(c, col(0xFFFFFF, 0.10*math.Max(0, 1-y*2.2)))
	// shadows, then shapes
	if cloud(x-0.006, y-0.014) < 0 {
		c = over(c, col(0x0A1F5C, 0.22))
	}
	if bridge(x-0.004, y-0.010) < 0 {
		c = over(c, col(0x0A1F5C, 0.20))
	}
	if cloud(x, y) < 0 {
		c = over(c, lerp(col(0xFFFFFF, 1), col(0xE6F4FF, 1), math.Max(0, (y-0.25)/0.3)))
	}
	if bridge(x, y) < 0 {
		c = over(c, col(0xFFFFFF, 0.96))
	}
	return c
}

func render(size int) *image.NRGBA {
	const ss = 4
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var acc rgba
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/ss) / float64(size)
					s := shade(x, y)
					acc.r, acc.g, acc.b, acc.a = acc.r+s.r, acc.g+s.g, acc.b+s.b, acc.a+s.a
				}
			}
			n := float64(ss * ss)
			a := acc.a / n
			if a <= 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(acc.r / n / a * 255)),
				G: uint8(math.Round(acc.g / n / a * 255)),
				B: uint8(math.Round(acc.b / n / a * 255)),
				A: uint8(math.Round(a * 255)),
			})
		}
	}
	return img
}

func encode(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		log.Fatal(err)
	}
	return b.Bytes()
}

// writeICO stores PNG-compressed frames (valid since Windows Vista).
func writeICO(path string, sizes []int) {
	var frames [][]byte
	for _, s := range sizes {
		frames = append(frames, encode(render(s)))
	}
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, [3]uint16{0, 1, uint16(len(sizes))})
	off := 6 + 16*len(sizes)
	for i, s := range sizes {
		d := uint8(s)
		if s >= 256 {
			d = 0
		}
		b.Write([]byte{d, d, 0, 0})
		binary.Write(&b, binary.LittleEndian, [2]uint16{1, 32})
		binary.Write(&b, binary.LittleEndian, [2]uint32{uint32(len(frames[i])), uint32(off)})
		off += len(frames[i])
	}
	for _, f := range frames {
		b.Write(f)
	}
	must(os.WriteFile(path, b.Bytes(), 0o644))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	must(os.MkdirAll(filepath.Join(root, "build", "windows"), 0o755))
	must(os.WriteFile(filepath.Join(root, "build", "appicon.png"), encode(render(1024)), 0o644))
	writeICO(filepath.Join(root, "build", "windows", "icon.ico"), []int{256, 128, 64, 48, 32, 24, 16})
	log.Print("wrote build/appicon.png and build/windows/icon.ico")
}
