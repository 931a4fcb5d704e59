package main

// The InteropService behaviour, mirroring the dubbo-js peer (test/peers/dubbo/server.ts).

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"sort"
	"strings"
	"time"

	"dubbo.apache.org/dubbo-go/v3/common/constant"
	tri "dubbo.apache.org/dubbo-go/v3/protocol/triple/triple_protocol"

	pb "triple-es/test/peers/go/gen/interopv1"
)

// Retry hint placed in every ErrorDetail this server attaches (ErrorSpec has no knob for it).
const detailRetryAfterMs = 250

// core holds the behaviour; the exported handler types below only adapt it to the generated
// interfaces (one Go type per registration: dubbo-go keeps only the last of two registrations
// of the same type).
type core struct{ servedBy string }

// ctxError turns an ended context into a triple error (deadline_exceeded or canceled).
func ctxError(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return tri.NewError(tri.CodeDeadlineExceeded, errors.New("the operation timed out"))
	}
	return tri.NewError(tri.CodeCanceled, errors.New("the operation was cancelled"))
}

// sleep waits ms milliseconds unless ctx ends first.
func sleep(ctx context.Context, ms int32) error {
	if err := ctx.Err(); err != nil {
		return ctxError(ctx)
	}
	if ms <= 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctxError(ctx)
	}
}

// toError builds the triple error an ErrorSpec asks for: code, message and (when detail_reason
// is set) one ErrorDetail. Its metadata goes to the response headers (unary) or trailers (streams)
// through setMeta: dubbo-go v3.3.2's proxy invoker rebuilds every error with a code 1..16 as
// NewError(code, cause), which drops Meta() and the details (see README.md).
func toError(spec *pb.ErrorSpec) *tri.Error {
	e := tri.NewError(tri.Code(spec.GetCode()), errors.New(spec.GetMessage()))
	if spec.GetDetailReason() != "" {
		d, err := tri.NewErrorDetail(&pb.ErrorDetail{
			Reason:       spec.GetDetailReason(),
			RetryAfterMs: detailRetryAfterMs,
		})
		if err == nil {
			e.AddDetail(d)
		}
	}
	return e
}

// setMeta puts an ErrorSpec's metadata into h (names as given, values replaced).
func setMeta(h http.Header, spec *pb.ErrorSpec) {
	for k, v := range spec.GetMetadata() {
		h.Set(k, v)
	}
}

// unaryError returns spec's error from a unary handler, its metadata as response headers.
func unaryError(ctx context.Context, spec *pb.ErrorSpec) error {
	if len(spec.GetMetadata()) > 0 {
		h := http.Header{}
		setMeta(h, spec)
		_ = tri.SetHeader(ctx, h)
	}
	return toError(spec)
}

// streamError returns spec's error from a stream handler, its metadata as response trailers.
func streamError(conn tri.StreamingHandlerConn, spec *pb.ErrorSpec) error {
	setMeta(conn.ResponseTrailer(), spec)
	return toError(spec)
}

// requestHeader is what the handler saw: from the triple context, or dubbo-go's attachments.
func requestHeader(ctx context.Context) http.Header {
	if h, ok := tri.FromIncomingContext(ctx); ok {
		return h
	}
	h := http.Header{}
	if att, ok := ctx.Value(constant.AttachmentKey).(map[string]any); ok {
		for k, v := range att {
			switch v := v.(type) {
			case string:
				h.Add(k, v)
			case []string:
				for _, s := range v {
					h.Add(k, s)
				}
			}
		}
	}
	return h
}

// lowerMap flattens a header: lower-case names, several values joined with ", ".
func lowerMap(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		name := strings.ToLower(k)
		if prev, ok := out[name]; ok {
			out[name] = prev + ", " + strings.Join(vs, ", ")
		} else {
			out[name] = strings.Join(vs, ", ")
		}
	}
	return out
}

// echoHeaders copies every request header named x-echo-* into the response headers and
// trailers, unchanged.
func echoHeaders(req, respHeader, respTrailer http.Header) {
	names := make([]string, 0)
	for k := range req {
		if strings.HasPrefix(strings.ToLower(k), "x-echo-") {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range req[k] {
			respHeader.Add(k, v)
			respTrailer.Add(k, v)
		}
	}
}

func (c *core) unary(ctx context.Context, req *pb.UnaryRequest) (*pb.UnaryResponse, error) {
	reqHeader := requestHeader(ctx)
	h, t := http.Header{}, http.Header{}
	echoHeaders(reqHeader, h, t)
	if len(h) > 0 {
		_ = tri.SetHeader(ctx, h)
		_ = tri.SetTrailer(ctx, t)
	}
	// The time left until the deadline the context carries (Triple-Timeout-Ms / grpc-timeout),
	// at handler entry, at least 1 when a deadline exists; 0 means none.
	var timeoutMs int32
	if dl, ok := ctx.Deadline(); ok {
		left := math.Round(float64(time.Until(dl)) / float64(time.Millisecond))
		timeoutMs = int32(max(1, min(left, math.MaxInt32)))
	}
	if err := sleep(ctx, req.GetDelayMs()); err != nil {
		return nil, err
	}
	if req.GetError() != nil {
		return nil, unaryError(ctx, req.GetError())
	}
	return &pb.UnaryResponse{
		Text:           req.GetText(),
		Payload:        req.GetPayload(),
		ServedBy:       c.servedBy,
		RequestHeaders: lowerMap(reqHeader),
		TimeoutMs:      timeoutMs,
	}, nil
}

// The parts of the generated stream types the behaviour needs (identical for both services).
type serverStreamSrv interface {
	Send(*pb.ServerStreamResponse) error
	Conn() tri.StreamingHandlerConn
}

type clientStreamSrv interface {
	Recv() bool
	Msg() *pb.ClientStreamRequest
	Err() error
	Conn() tri.StreamingHandlerConn
}

type bidiStreamSrv interface {
	Send(*pb.BidiResponse) error
	Recv() (*pb.BidiRequest, error)
	Conn() tri.StreamingHandlerConn
}

func echoConn(conn tri.StreamingHandlerConn) {
	echoHeaders(conn.RequestHeader(), conn.ResponseHeader(), conn.ResponseTrailer())
}

func (c *core) serverStream(ctx context.Context, req *pb.ServerStreamRequest, st serverStreamSrv) (err error) {
	echoConn(st.Conn())
	s := statsFor(req.GetStreamId())
	stop := watchCancel(ctx, s)
	defer stop()
	done := false
	defer func() { s.end(done) }()

	payload := make([]byte, max(0, req.GetSize()))
	for i := range payload {
		payload[i] = byte(i)
	}
	for seq := int32(0); seq < req.GetCount(); seq++ {
		if req.GetError() != nil && seq == req.GetErrorAfter() {
			done = true
			return streamError(st.Conn(), req.GetError())
		}
		if seq > 0 {
			if err := sleep(ctx, req.GetDelayMs()); err != nil {
				return err
			}
		}
		if ctx.Err() != nil {
			return ctxError(ctx)
		}
		if err := st.Send(&pb.ServerStreamResponse{Seq: seq, Payload: payload}); err != nil {
			return err
		}
		s.update(func(s *stats) { s.produced++ })
	}
	done = true
	if req.GetError() != nil {
		return streamError(st.Conn(), req.GetError())
	}
	return nil
}

func (c *core) clientStream(ctx context.Context, st clientStreamSrv) (*pb.ClientStreamResponse, error) {
	echoConn(st.Conn())
	var (
		s           *stats
		count       int32
		bytes       int64
		firstSeq    int32
		lastSeq     int32
		inOrder     = true
		readDelayMs int32
		done        bool
	)
	defer func() {
		if s != nil {
			s.end(done)
		}
	}()
	for st.Recv() {
		m := st.Msg()
		if count == 0 {
			s = statsFor(m.GetStreamId())
			defer watchCancel(ctx, s)()
			readDelayMs = m.GetReadDelayMs()
			firstSeq = m.GetSeq()
			if err := waitForHold(ctx, m.GetHoldId()); err != nil {
				return nil, err
			}
		} else if m.GetSeq() != lastSeq+1 {
			inOrder = false
		}
		lastSeq = m.GetSeq()
		count++
		bytes += int64(len(m.GetPayload()))
		s.update(func(s *stats) {
			s.consumed++
			s.produced = s.consumed // the proto: "or read (client stream)"
		})
		if m.GetError() != nil {
			done = true
			return nil, streamError(st.Conn(), m.GetError())
		}
		if err := sleep(ctx, readDelayMs); err != nil {
			return nil, err
		}
	}
	if err := st.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	done = true
	return &pb.ClientStreamResponse{
		Count: count, Bytes: bytes, FirstSeq: firstSeq, LastSeq: lastSeq, InOrder: inOrder,
	}, nil
}

func (c *core) bidiStream(ctx context.Context, st bidiStreamSrv) error {
	echoConn(st.Conn())
	var (
		s    *stats
		done bool
	)
	defer func() {
		if s != nil {
			s.end(done)
		}
	}()
	for {
		m, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if s == nil {
			s = statsFor(m.GetStreamId())
			defer watchCancel(ctx, s)()
			if err := waitForHold(ctx, m.GetHoldId()); err != nil {
				return err
			}
		}
		s.update(func(s *stats) { s.consumed++ })
		if m.GetError() != nil {
			done = true
			return streamError(st.Conn(), m.GetError())
		}
		if err := sleep(ctx, m.GetDelayMs()); err != nil {
			return err
		}
		if err := st.Send(&pb.BidiResponse{Seq: m.GetSeq(), Payload: m.GetPayload()}); err != nil {
			return err
		}
		s.update(func(s *stats) { s.produced++ })
	}
	done = true
	return nil
}

func (c *core) getStreamStats(ctx context.Context, req *pb.StreamStatsRequest) (*pb.StreamStatsResponse, error) {
	h, t := http.Header{}, http.Header{}
	echoHeaders(requestHeader(ctx), h, t)
	if len(h) > 0 {
		_ = tri.SetHeader(ctx, h)
		_ = tri.SetTrailer(ctx, t)
	}
	if req.GetStreamId() == "" {
		return &pb.StreamStatsResponse{Known: false}, nil
	}
	s, ok := lookupStats(req.GetStreamId())
	if !ok {
		return &pb.StreamStatsResponse{Known: false}, nil
	}
	return &pb.StreamStatsResponse{
		Produced: s.produced, Consumed: s.consumed, Cancelled: s.cancelled, Finished: s.finished, Known: true,
	}, nil
}

func (c *core) releaseHold(_ context.Context, req *pb.ReleaseHoldRequest) (*pb.ReleaseHoldResponse, error) {
	return &pb.ReleaseHoldResponse{WasWaiting: releaseHold(req.GetHoldId())}, nil
}

// ---------------------------------------------------------------------------------------------
// Adapters to the generated handler interfaces.

// InteropHandler implements pb.InteropServiceHandler.
type InteropHandler struct{ c *core }

func (h *InteropHandler) Unary(ctx context.Context, req *pb.UnaryRequest) (*pb.UnaryResponse, error) {
	return h.c.unary(ctx, req)
}

func (h *InteropHandler) ServerStream(ctx context.Context, req *pb.ServerStreamRequest, st pb.InteropService_ServerStreamServer) error {
	return h.c.serverStream(ctx, req, st)
}

func (h *InteropHandler) ClientStream(ctx context.Context, st pb.InteropService_ClientStreamServer) (*pb.ClientStreamResponse, error) {
	return h.c.clientStream(ctx, st)
}

func (h *InteropHandler) BidiStream(ctx context.Context, st pb.InteropService_BidiStreamServer) error {
	return h.c.bidiStream(ctx, st)
}

func (h *InteropHandler) GetStreamStats(ctx context.Context, req *pb.StreamStatsRequest) (*pb.StreamStatsResponse, error) {
	return h.c.getStreamStats(ctx, req)
}

func (h *InteropHandler) ReleaseHold(ctx context.Context, req *pb.ReleaseHoldRequest) (*pb.ReleaseHoldResponse, error) {
	return h.c.releaseHold(ctx, req)
}

// CamelHandler implements pb.CamelInteropServiceHandler (lower-camel rpc names on the wire).
type CamelHandler struct{ c *core }

func (h *CamelHandler) Unary(ctx context.Context, req *pb.UnaryRequest) (*pb.UnaryResponse, error) {
	return h.c.unary(ctx, req)
}

func (h *CamelHandler) ServerStream(ctx context.Context, req *pb.ServerStreamRequest, st pb.CamelInteropService_serverStreamServer) error {
	return h.c.serverStream(ctx, req, st)
}

func (h *CamelHandler) ClientStream(ctx context.Context, st pb.CamelInteropService_clientStreamServer) (*pb.ClientStreamResponse, error) {
	return h.c.clientStream(ctx, st)
}

func (h *CamelHandler) BidiStream(ctx context.Context, st pb.CamelInteropService_bidiStreamServer) error {
	return h.c.bidiStream(ctx, st)
}

func (h *CamelHandler) GetStreamStats(ctx context.Context, req *pb.StreamStatsRequest) (*pb.StreamStatsResponse, error) {
	return h.c.getStreamStats(ctx, req)
}

func (h *CamelHandler) ReleaseHold(ctx context.Context, req *pb.ReleaseHoldRequest) (*pb.ReleaseHoldResponse, error) {
	return h.c.releaseHold(ctx, req)
}

// One named type per registration.
type (
	DefaultInterop struct{ *InteropHandler }
	BlueInterop    struct{ *InteropHandler }
	DefaultCamel   struct{ *CamelHandler }
	BlueCamel      struct{ *CamelHandler }
)
