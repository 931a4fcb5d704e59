package main

// Bounded per-stream statistics (GetStreamStats) and holds (ReleaseHold), as in the dubbo-js peer.

import (
	"container/list"
	"context"
	"sync"
)

const (
	maxStats = 10_000
	maxHolds = 1_000
)

type stats struct {
	produced  int32
	consumed  int32
	cancelled bool
	finished  bool
}

// One lock guards every stats record and hold; the peer serves tests, not load.
var mu sync.Mutex

var (
	statsByID  = map[string]*list.Element{} // value: *statsEntry
	statsOrder = list.New()
)

type statsEntry struct {
	id string
	s  *stats
}

// statsFor starts a fresh record for streamID (a reused id starts over); "" is not recorded.
func statsFor(streamID string) *stats {
	s := &stats{}
	if streamID == "" {
		return s
	}
	mu.Lock()
	defer mu.Unlock()
	if el, ok := statsByID[streamID]; ok {
		statsOrder.Remove(el)
	}
	statsByID[streamID] = statsOrder.PushBack(&statsEntry{streamID, s})
	for statsOrder.Len() > maxStats {
		oldest := statsOrder.Front()
		statsOrder.Remove(oldest)
		delete(statsByID, oldest.Value.(*statsEntry).id)
	}
	return s
}

func lookupStats(streamID string) (stats, bool) {
	mu.Lock()
	defer mu.Unlock()
	el, ok := statsByID[streamID]
	if !ok {
		return stats{}, false
	}
	return *el.Value.(*statsEntry).s, true
}

func (s *stats) update(f func(s *stats)) {
	mu.Lock()
	defer mu.Unlock()
	f(s)
}

// watchCancel marks the record cancelled when ctx ends before the handler finished.
func watchCancel(ctx context.Context, s *stats) (stop func() bool) {
	return context.AfterFunc(ctx, func() {
		s.update(func(s *stats) {
			if !s.finished {
				s.cancelled = true
			}
		})
	})
}

// end records how a handler ended: finished when it completed (normally or with its own
// ErrorSpec), cancelled otherwise.
func (s *stats) end(done bool) {
	s.update(func(s *stats) {
		if done {
			s.finished = true
		} else if !s.finished {
			s.cancelled = true
		}
	})
}

type hold struct {
	released bool
	waiting  bool
	ch       chan struct{}
}

var (
	holdsByID  = map[string]*list.Element{} // value: *holdEntry
	holdsOrder = list.New()
)

type holdEntry struct {
	id string
	h  *hold
}

// holdFor returns the hold named id, creating it; the caller holds mu.
func holdFor(id string) *hold {
	if el, ok := holdsByID[id]; ok {
		return el.Value.(*holdEntry).h
	}
	h := &hold{ch: make(chan struct{})}
	holdsByID[id] = holdsOrder.PushBack(&holdEntry{id, h})
	for holdsOrder.Len() > maxHolds {
		oldest := holdsOrder.Front()
		holdsOrder.Remove(oldest)
		delete(holdsByID, oldest.Value.(*holdEntry).id)
	}
	return h
}

// releaseHold releases id (also before anyone waits) and tells whether a handler was waiting.
func releaseHold(id string) bool {
	mu.Lock()
	defer mu.Unlock()
	h := holdFor(id)
	wasWaiting := h.waiting
	if !h.released {
		h.released = true
		close(h.ch)
	}
	return wasWaiting
}

// waitForHold blocks until ReleaseHold(id) (at once if it came first); honours ctx.
func waitForHold(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	mu.Lock()
	h := holdFor(id)
	if h.released {
		mu.Unlock()
		return nil
	}
	h.waiting = true
	mu.Unlock()
	select {
	case <-h.ch:
		return nil
	case <-ctx.Done():
		return ctxError(ctx)
	}
}
