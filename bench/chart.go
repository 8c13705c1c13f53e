package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// The chart is three panels of bars: latency (p50 bar, p99 whisker), deployment times, resident memory.
const (
	chartW, chartH = 1280, 560
	panelTop       = 70
	panelBottom    = chartH - 90
)

var (
	white      = color.RGBA{255, 255, 255, 255}
	ink        = color.RGBA{30, 30, 30, 255}
	grid       = color.RGBA{225, 225, 225, 255}
	directCol  = color.RGBA{90, 140, 200, 255}
	meshCol    = color.RGBA{230, 130, 50, 255}
	deployCol  = color.RGBA{100, 170, 110, 255}
	memoryCol  = color.RGBA{150, 110, 190, 255}
	targetCol  = color.RGBA{200, 40, 40, 255}
	chartFace  = basicfont.Face7x13
	lineHeight = 14
)

// bar is one bar of a panel: its height, an optional whisker (p99) and target mark, and a label below.
type bar struct {
	label   string
	value   float64
	whisker float64 // 0: none
	target  float64 // 0: none
	col     color.RGBA
}

type canvas struct{ *image.RGBA }

func (c canvas) rect(x0, y0, x1, y1 int, col color.Color) {
	draw.Draw(c.RGBA, image.Rect(x0, y0, x1, y1), image.NewUniform(col), image.Point{}, draw.Src)
}

// text draws s with its left edge at x (or centred on x) and its baseline at y.
func (c canvas) text(x, y int, s string, centred bool, col color.Color) {
	d := &font.Drawer{Dst: c.RGBA, Src: image.NewUniform(col), Face: chartFace}
	if centred {
		x -= d.MeasureString(s).Ceil() / 2
	}
	d.Dot = fixed.P(x, y)
	d.DrawString(s)
}

// panel draws bars between x0 and x1 with a y axis from 0 to a round maximum.
func (c canvas) panel(x0, x1 int, title, unit string, bars []bar) {
	c.text((x0+x1)/2, panelTop-30, title, true, ink)
	top := 0.0
	for _, b := range bars {
		top = math.Max(top, math.Max(b.value, math.Max(b.whisker, b.target)))
	}
	step := niceStep(top / 5)
	top = math.Ceil(top/step) * step
	if top == 0 {
		top, step = 1, 0.2
	}
	plotX0 := x0 + 56
	y := func(v float64) int { return panelBottom - int(v/top*float64(panelBottom-panelTop)) }
	for v := 0.0; v <= top+step/2; v += step {
		c.rect(plotX0, y(v), x1, y(v)+1, grid)
		c.text(x0, y(v)+4, trimFloat(v), false, ink)
	}
	c.text(x0, panelTop-10, unit, false, ink)
	c.rect(plotX0, panelTop, plotX0+1, panelBottom, ink)
	c.rect(plotX0, panelBottom, x1, panelBottom+1, ink)

	slot := float64(x1-plotX0) / float64(len(bars))
	width := int(slot * 0.6)
	for i, b := range bars {
		cx := plotX0 + int(slot*(float64(i)+0.5))
		c.rect(cx-width/2, y(b.value), cx+width/2, panelBottom, b.col)
		if b.whisker > 0 {
			c.rect(cx-1, y(b.whisker), cx+1, y(b.value), ink)
			c.rect(cx-width/4, y(b.whisker), cx+width/4, y(b.whisker)+2, ink)
		}
		if b.target > 0 {
			for x := cx - width/2 - 4; x < cx+width/2+4; x += 6 {
				c.rect(x, y(b.target)-1, x+4, y(b.target)+1, targetCol)
			}
		}
		c.text(cx, y(math.Max(b.value, b.whisker))-4, label(b.value), true, ink)
		for j, line := range strings.Split(b.label, "|") {
			c.text(cx, panelBottom+16+j*lineHeight, line, true, ink)
		}
	}
}

// writePNG renders the result as a chart.
func writePNG(r *Result, path string) error {
	img := image.NewRGBA(image.Rect(0, 0, chartW, chartH))
	c := canvas{img}
	c.rect(0, 0, chartW, chartH, white)
	m := r.Machine
	c.text(20, 22, fmt.Sprintf("ragmesh bench  %s  -  %d CPUs %s, %.0f GiB", r.Date, m.CPUs, m.CPUModel, m.MemoryGiB), false, ink)

	var lat []bar
	for _, l := range r.Latency {
		col := directCol
		if l.Path == PathMesh {
			col = meshCol
		}
		lat = append(lat, bar{label: l.Kind + "|" + l.Mode + "|" + l.Path, value: l.P50, whisker: l.P99, col: col})
	}
	c.panel(20, 600, "Chroma latency: p50 bar, p99 whisker (blue direct, orange mesh)", "ms", lat)

	cv := r.Converge
	deploy := []bar{
		{label: "empty ->|verified", value: cv.FreshTotalSeconds, target: 180, col: deployCol},
		{label: "no-op|up", value: cv.Noop.Seconds, target: 0.15 * cv.FreshTotalSeconds, col: deployCol},
		{label: "add one|intention", value: cv.IntentionAdd.Seconds, col: deployCol},
		{label: "remove|it", value: cv.IntentionRemove.Seconds, col: deployCol},
	}
	c.panel(630, 900, "Deployment (red dashes: target)", "s", deploy)

	var mem []bar
	for _, x := range r.Memory {
		mem = append(mem, bar{label: x.Host + "|" + shortUnit(x.Unit), value: x.MiB, col: memoryCol})
	}
	c.panel(920, 1260, "Resident memory", "MiB", mem)

	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// niceStep rounds a raw axis step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(v float64) string { return fmt.Sprintf("%g", v) }

// label prints a bar's value with three significant digits or so: 0.54, 6.84, 17.9, 102.6.
func label(v float64) string {
	if v >= 10 {
		return trimFloat(round(v, 1))
	}
	return trimFloat(round(v, 2))
}

// shortUnit keeps chart labels narrow: "chromadb-chroma-sidecar" → "sidecar".
func shortUnit(unit string) string {
	if strings.HasSuffix(unit, "-sidecar") {
		return "sidecar"
	}
	return unit
}
