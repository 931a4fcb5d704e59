// The dubbo-go v3.3.2 peer for the interop tests: serves triple.interop.v1.InteropService and
// CamelInteropService (test/protos/triple/interop/v1/interop.proto) on 127.0.0.1, with the same
// behaviour as the dubbo-js peer (test/peers/dubbo/server.ts).
//
// Build: node test/peers/go/build.mjs   (go build -o bin/peer .)
// Run:   GO_PEER_PORT=40123 test/peers/go/bin/peer
//
// Environment:
//
//	GO_PEER_PORT       port on 127.0.0.1 (required; must be free: dubbo-go keeps running when
//	                   it cannot bind, so the peer checks first and exits 1 when it is taken)
//	GO_PEER_LOG_LEVEL  dubbo-go log level (default "warn"); logs go to stderr
//
// When ready it prints exactly one line to stdout: {"url":"http://127.0.0.1:PORT"}.
// SIGTERM / SIGINT stop it within ~1 s.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"dubbo.apache.org/dubbo-go/v3"
	"dubbo.apache.org/dubbo-go/v3/graceful_shutdown"
	dubbologger "dubbo.apache.org/dubbo-go/v3/logger"
	"dubbo.apache.org/dubbo-go/v3/protocol"
	"dubbo.apache.org/dubbo-go/v3/protocol/triple"
	"dubbo.apache.org/dubbo-go/v3/server"

	pb "triple-es/test/peers/go/gen/interopv1"
)

const host = "127.0.0.1"

// Headers a browser client must be allowed to read (see TRIPLE-PROTOCOL.md, CORS), plus the
// x-echo-* / trailer-x-echo-* names the tests use. "*" covers the rest for non-credentialed
// requests.
var exposeHeaders = []string{
	"*",
	"Content-Encoding", "Connect-Content-Encoding", "Content-Type",
	"Grpc-Status", "Grpc-Message", "Grpc-Status-Details-Bin",
	"X-Echo-K", "X-Echo-Plain", "X-Echo-Trace", "X-Echo-Cs", "X-Echo-D", "X-Echo-Ic",
	"X-Echo-Intercepted", "X-Echo-Up", "X-Echo-Data-Bin", "X-Echo-B-Bin",
	"Trailer-X-Echo-K", "Trailer-X-Echo-Plain", "Trailer-X-Echo-Trace", "Trailer-X-Echo-Cs",
	"Trailer-X-Echo-D", "Trailer-X-Echo-Ic", "Trailer-X-Echo-Intercepted", "Trailer-X-Echo-Up",
	"Trailer-X-Echo-Data-Bin", "Trailer-X-Echo-B-Bin",
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "go peer: "+format+"\n", args...)
}

func fail(format string, args ...any) {
	logf(format, args...)
	os.Exit(1)
}

func main() {
	// dubbo-go logs to stdout; keep stdout for the ready line only.
	readyOut := reserveStdout()

	portText := os.Getenv("GO_PEER_PORT")
	if portText == "" {
		fail("GO_PEER_PORT is required (a free port on %s)", host)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 {
		fail("GO_PEER_PORT=%s is not a port number", portText)
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	if l, err := net.Listen("tcp", addr); err != nil {
		fail("port %s is not free: %v", addr, err)
	} else {
		_ = l.Close()
	}

	logLevel := os.Getenv("GO_PEER_LOG_LEVEL")
	if logLevel == "" {
		logLevel = "warn"
	}

	ins, err := dubbo.NewInstance(
		dubbo.WithName("triple-es-go-peer"),
		// Without it dubbo-go opens a metadata listener on a random port on all interfaces.
		dubbo.WithRemoteMetadata(),
		dubbo.WithLogger(dubbologger.WithZap(), dubbologger.WithLevel(logLevel)),
		dubbo.WithShutdown(
			graceful_shutdown.WithTimeout(2*time.Second),
			graceful_shutdown.WithStepTimeout(500*time.Millisecond),
			graceful_shutdown.WithConsumerUpdateWaitTime(0),
			graceful_shutdown.WithOfflineRequestWindowTimeout(0),
			// This process handles SIGTERM itself (below) to stop promptly.
			graceful_shutdown.WithoutInternalSignal(),
		),
	)
	if err != nil {
		fail("dubbo.NewInstance: %v", err)
	}
	srv, err := ins.NewServer(server.WithServerProtocol(
		protocol.WithIp(host),
		protocol.WithPort(port),
		protocol.WithTriple(triple.WithCORS(
			triple.CORSAllowOrigins("*"),
			triple.CORSExposeHeaders(exposeHeaders...),
			triple.CORSMaxAge(7200),
		)),
	))
	if err != nil {
		fail("NewServer: %v", err)
	}

	blue := []server.ServiceOption{server.WithGroup("blue"), server.WithVersion("2.0.0")}
	regs := []struct {
		name string
		err  error
	}{
		{"InteropService", pb.RegisterInteropServiceHandler(srv, &DefaultInterop{&InteropHandler{&core{"default"}}})},
		{"InteropService blue/2.0.0", pb.RegisterInteropServiceHandler(srv, &BlueInterop{&InteropHandler{&core{"2.0.0/blue"}}}, blue...)},
		{"CamelInteropService", pb.RegisterCamelInteropServiceHandler(srv, &DefaultCamel{&CamelHandler{&core{"default"}}})},
		{"CamelInteropService blue/2.0.0", pb.RegisterCamelInteropServiceHandler(srv, &BlueCamel{&CamelHandler{&core{"2.0.0/blue"}}}, blue...)},
	}
	for _, r := range regs {
		if r.err != nil {
			fail("register %s: %v", r.name, r.err)
		}
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve() }()

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)

	if err := waitReady(addr, serveErr, sigs); err != nil {
		fail("%v", err)
	}
	line, _ := json.Marshal(map[string]string{"url": "http://" + addr})
	if _, err := readyOut.Write(append(line, '\n')); err != nil {
		fail("write ready line: %v", err)
	}
	logf("serving on http://%s", addr)

	select {
	case sig := <-sigs:
		logf("%s, stopping", sig)
		stop()
	case err := <-serveErr:
		fail("server stopped: %v", err)
	}
}

// waitReady polls the real service (GetStreamStats) until it answers: the port was free before,
// so the answer comes from this process.
func waitReady(addr string, serveErr <-chan error, sigs <-chan os.Signal) error {
	client := &http.Client{Timeout: time.Second}
	url := "http://" + addr + "/" + pb.InteropServiceName + "/GetStreamStats"
	deadline := time.Now().Add(25 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Post(url, "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-serveErr:
			return fmt.Errorf("server stopped before it was ready: %v", err)
		case sig := <-sigs:
			logf("%s before ready, exiting", sig)
			os.Exit(0)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not answer within 25 s", url)
}

// stop gives dubbo-go's graceful shutdown (unexport, close the listener) up to 500 ms, then exits;
// in-flight calls are cut off: a test peer must stop promptly.
func stop() {
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		done <- graceful_shutdown.Shutdown(ctx)
	}()
	select {
	case err := <-done:
		if err != nil {
			logf("shutdown: %v", err)
		}
	case <-time.After(600 * time.Millisecond):
		logf("shutdown still running after 600 ms, exiting")
	}
	os.Exit(0)
}
