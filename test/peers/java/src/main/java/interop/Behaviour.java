package interop;

import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.protobuf.ByteString;
import org.apache.dubbo.common.stream.StreamObserver;
import org.apache.dubbo.rpc.CancellationContext;
import org.apache.dubbo.rpc.Invocation;
import org.apache.dubbo.rpc.RpcContext;
import org.apache.dubbo.rpc.protocol.tri.observer.CallStreamObserver;
import org.apache.dubbo.rpc.StatusRpcException;
import org.apache.dubbo.rpc.TimeoutCountDown;
import org.apache.dubbo.rpc.TriRpcStatus;

import triple.interop.v1.BidiRequest;
import triple.interop.v1.BidiResponse;
import triple.interop.v1.ClientStreamRequest;
import triple.interop.v1.ClientStreamResponse;
import triple.interop.v1.ErrorSpec;
import triple.interop.v1.ReleaseHoldRequest;
import triple.interop.v1.ReleaseHoldResponse;
import triple.interop.v1.ServerStreamRequest;
import triple.interop.v1.ServerStreamResponse;
import triple.interop.v1.StreamStatsRequest;
import triple.interop.v1.StreamStatsResponse;
import triple.interop.v1.UnaryRequest;
import triple.interop.v1.UnaryResponse;

/**
 * The behaviour of every method, shared by InteropService and CamelInteropService (both services use
 * the same messages). Mirrors test/peers/dubbo/server.ts; what Dubbo Java 3.3.6 cannot do is noted
 * where it matters:
 *
 * <ul>
 *   <li>Cancellation is seen only over HTTP/2 (h2c, gRPC): there the call's {@link CancellationContext}
 *       fires on RST_STREAM. Over HTTP/1.1 Dubbo gives a handler no signal at all.
 *   <li>Deadlines: Dubbo never cancels a handler when TRI-Service-Timeout / grpc-timeout passes (it
 *       only replaces a late answer with an error). This peer does not add a deadline of its own, so
 *       tests see what Java really does; timeout_ms reports the deadline Dubbo computed.
 *   <li>ErrorSpec.metadata is set as server response attachments, but Dubbo 3.3.6 never writes
 *       attachments of a failed call (see unaryAsync): error metadata does not reach the wire.
 *       Attachments of a successful unary call (x-echo-* here) come back as HTTP/2 response headers.
 *   <li>ErrorSpec.detail_reason is ignored: Dubbo 3.3.6 sends no error details (no
 *       grpc-status-details-bin, nothing in the JSON error body).
 * </ul>
 */
final class Behaviour {

    /** Which registration answers: "default" or "version/group". */
    private final String servedBy;

    Behaviour(String servedBy) {
        this.servedBy = servedBy;
    }

    // -----------------------------------------------------------------------------------------
    // Shared state: stream statistics and holds (one map for all services and registrations).

    static final class Stats {
        final AtomicInteger produced = new AtomicInteger();
        final AtomicInteger consumed = new AtomicInteger();
        volatile boolean cancelled;
        volatile boolean finished;

        void finish(boolean done) {
            if (done) finished = true;
            else if (!finished) cancelled = true;
        }
    }

    private static final int MAX_STATS = 10_000;
    private static final Map<String, Stats> STATS = new ConcurrentHashMap<>();
    private static final java.util.concurrent.ConcurrentLinkedQueue<String> STATS_ORDER =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** A fresh record under streamId (not recorded when the id is empty); a reused id starts over. */
    static Stats statsFor(String streamId) {
        Stats s = new Stats();
        if (streamId.isEmpty()) return s;
        STATS.put(streamId, s);
        STATS_ORDER.add(streamId);
        while (STATS_ORDER.size() > MAX_STATS) {
            String old = STATS_ORDER.poll();
            if (old != null && !STATS_ORDER.contains(old)) STATS.remove(old);
        }
        return s;
    }

    static final class Hold {
        final CompletableFuture<Void> released = new CompletableFuture<>();
        volatile boolean waiting;
    }

    private static final int MAX_HOLDS = 1_000;
    private static final Map<String, Hold> HOLDS = new ConcurrentHashMap<>();

    static Hold holdFor(String id) {
        if (HOLDS.size() > MAX_HOLDS) HOLDS.clear(); // a test suite never needs that many at once
        return HOLDS.computeIfAbsent(id, k -> new Hold());
    }

    // -----------------------------------------------------------------------------------------
    // Cancellation and errors.

    /**
     * Completes (with the cause) when the current call is cancelled; never, over HTTP/1.1.
     *
     * Dubbo 3.3.6 leaves a cancelled CancellationContext on the worker thread: the next call that
     * thread serves finds it already cancelled (seen over gRPC: a unary call after a cancelled
     * stream answered CANCELLED "call cancelled: null"). A context that is cancelled before the
     * handler even ran is that stale one, so it is ignored.
     */
    private static CompletableFuture<Throwable> cancellation() {
        CompletableFuture<Throwable> f = new CompletableFuture<>();
        CancellationContext cc = RpcContext.getCancellationContext();
        if (cc != null && !cc.isCancelled()) {
            cc.addListener(ctx -> f.complete(cc.getCancellationCause()));
        }
        return f;
    }

    private static StatusRpcException cancelledError(CompletableFuture<Throwable> cancel) {
        Throwable cause = cancel.getNow(null);
        return TriRpcStatus.CANCELLED
                .withDescription("call cancelled" + (cause != null ? ": " + cause.getMessage() : ""))
                .asException();
    }

    /** Waits ms milliseconds, or throws CANCELLED as soon as the call is cancelled. */
    private static void sleep(long ms, CompletableFuture<Throwable> cancel) {
        if (cancel.isDone()) throw cancelledError(cancel);
        if (ms <= 0) return;
        try {
            cancel.get(ms, TimeUnit.MILLISECONDS);
            throw cancelledError(cancel);
        } catch (TimeoutException e) {
            // the delay passed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TriRpcStatus.CANCELLED.withDescription("interrupted").asException();
        } catch (ExecutionException e) {
            throw cancelledError(cancel);
        }
    }

    /** Waits until ReleaseHold(id) (at once if it came first); honours cancellation. */
    private static void waitForHold(String id, CompletableFuture<Throwable> cancel) {
        if (id.isEmpty()) return;
        Hold h = holdFor(id);
        if (h.released.isDone()) return;
        h.waiting = true;
        try {
            CompletableFuture.anyOf(h.released, cancel).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // not reached: neither future completes exceptionally
        }
        if (!h.released.isDone()) throw cancelledError(cancel);
    }

    /** The Triple status exception for an ErrorSpec; its metadata goes into the response attachments. */
    private static StatusRpcException toError(ErrorSpec spec, boolean setAttachments) {
        if (setAttachments) {
            spec.getMetadataMap().forEach((k, v) -> RpcContext.getServerResponseContext().setAttachment(k, v));
        }
        int code = spec.getCode();
        TriRpcStatus status = code >= 1 && code <= 16 ? TriRpcStatus.fromCode(code) : TriRpcStatus.UNKNOWN;
        return status.withDescription(spec.getMessage()).asException();
    }

    /** Every request attachment named x-echo-* goes back as a response attachment. */
    private static void echoHeaders() {
        RpcContext.getServerAttachment().getObjectAttachments().forEach((k, v) -> {
            if (v instanceof String && k.toLowerCase().startsWith("x-echo-")) {
                RpcContext.getServerResponseContext().setAttachment(k, v);
            }
        });
    }

    // -----------------------------------------------------------------------------------------
    // The methods.

    UnaryResponse unary(UnaryRequest req) {
        echoHeaders();
        CompletableFuture<Throwable> cancel = cancellation();
        // The attachments Dubbo made of the request headers. A "-bin" header arrives base64-decoded,
        // as bytes, under the name without "-bin" (replacing a text header of that name): it is
        // reported here under "<name>-bin", base64 (padded) again.
        Map<String, String> headers = new TreeMap<>();
        RpcContext.getServerAttachment().getObjectAttachments().forEach((k, v) -> {
            String name = k.toLowerCase();
            if (v instanceof String) headers.put(name, (String) v);
            else if (v instanceof byte[]) headers.put(name + "-bin", Base64.getEncoder().encodeToString((byte[]) v));
        });
        // The deadline Dubbo took from TRI-Service-Timeout (HTTP) or grpc-timeout (gRPC): at least 1
        // when there is one, 0 when none. Dubbo keeps it as the invocation attribute "timeout" (ms,
        // counted from when the request was read), so this is the full timeout, not the time left.
        int timeoutMs = 0;
        Object countDown = RpcContext.getServerAttachment().getObjectAttachment("timeout-countdown");
        Invocation inv = RpcContext.getServiceContext().getInvocation();
        Object timeout = inv == null ? null : inv.get("timeout");
        if (countDown instanceof TimeoutCountDown) {
            long left = ((TimeoutCountDown) countDown).timeRemaining(TimeUnit.MILLISECONDS);
            timeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, left));
        } else if (timeout instanceof Number) {
            timeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, ((Number) timeout).longValue()));
        }
        sleep(req.getDelayMs(), cancel);
        if (req.hasError()) throw toError(req.getError(), true);
        return UnaryResponse.newBuilder()
                .setText(req.getText())
                .setPayload(req.getPayload())
                .setServedBy(servedBy)
                .putAllRequestHeaders(headers)
                .setTimeoutMs(timeoutMs)
                .build();
    }

    /** The unary method in StreamObserver form (what Dubbo's stub invoker calls). */
    <T, R> void unaryAsync(T req, StreamObserver<R> observer, java.util.function.Function<T, R> fn) {
        R res;
        try {
            res = fn.apply(req);
        } catch (Throwable t) {
            // Dubbo 3.3.6 writes no response attachments for a failed unary call: a handler that has
            // failed when it returns takes a path that skips them, and one that fails later loses
            // them too (AsyncRpcResult reads its attachments from a future that is not done yet).
            // So ErrorSpec.metadata never reaches the wire; only a synchronous success carries
            // attachments (as HTTP/2 response headers).
            observer.onError(t);
            return;
        }
        observer.onNext(res);
        observer.onCompleted();
    }

    void serverStream(ServerStreamRequest req, StreamObserver<ServerStreamResponse> out) {
        CompletableFuture<Throwable> cancel = cancellation();
        Stats s = statsFor(req.getStreamId());
        cancel.thenRun(() -> {
            if (!s.finished) s.cancelled = true;
        });
        Runnable producer = () -> {
            boolean done = false;
            try {
                byte[] bytes = new byte[Math.max(0, req.getSize())];
                for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) i;
                ByteString payload = ByteString.copyFrom(bytes);
                for (int seq = 0; seq < req.getCount(); seq++) {
                    if (req.hasError() && seq == req.getErrorAfter()) {
                        done = true;
                        out.onError(toError(req.getError(), false));
                        return;
                    }
                    if (seq > 0) sleep(req.getDelayMs(), cancel);
                    if (cancel.isDone()) return;
                    out.onNext(ServerStreamResponse.newBuilder().setSeq(seq).setPayload(payload).build());
                    s.produced.incrementAndGet();
                }
                done = true;
                if (req.hasError()) out.onError(toError(req.getError(), false));
                else out.onCompleted();
            } catch (StatusRpcException e) {
                // cancelled: the stream is gone, nothing to write
            } catch (Throwable t) {
                done = true;
                out.onError(t);
            } finally {
                s.finish(done);
            }
        };
        // The producer runs in the handler's thread, so the handler returns only when the stream is
        // done. With CORS configured, Dubbo 3.3.6 ends a server stream when its handler returns
        // (HttpContextCallbackFilter turns the void result into an HttpResult carrying the "vary"
        // header; the listener writes it as a "null" event and completes): a producer on another
        // thread gets cut off after its first messages.
        producer.run();
    }

    StreamObserver<ClientStreamRequest> clientStream(StreamObserver<ClientStreamResponse> out) {
        CompletableFuture<Throwable> cancel = cancellation();
        // Dubbo 3.3.6's receive-side flow control (the only flow control it has): take one request
        // message at a time, asking for the next only when the handler is done with this one.
        // Measured (test/webtransport/browser/websocket.test.ts): it gates only what reaches the
        // handler; Dubbo keeps reading the request off the network into memory while a handler
        // holds, so the client's send side never sees backpressure from Java 3.3.6.
        CallStreamObserver<ClientStreamResponse> flow =
                out instanceof CallStreamObserver ? (CallStreamObserver<ClientStreamResponse>) out : null;
        if (flow != null) {
            flow.disableAutoFlowControl();
            flow.request(1);
        }
        return new StreamObserver<>() {
            Stats s;
            int count;
            long bytes;
            int firstSeq;
            int lastSeq;
            boolean inOrder = true;
            int readDelayMs;
            boolean ended;

            @Override
            public void onNext(ClientStreamRequest m) {
                if (ended) return;
                try {
                    if (count == 0) {
                        s = statsFor(m.getStreamId());
                        Stats st = s;
                        cancel.thenRun(() -> {
                            if (!st.finished) st.cancelled = true;
                        });
                        readDelayMs = m.getReadDelayMs();
                        firstSeq = m.getSeq();
                        waitForHold(m.getHoldId(), cancel);
                    } else if (m.getSeq() != lastSeq + 1) {
                        inOrder = false;
                    }
                    lastSeq = m.getSeq();
                    count++;
                    bytes += m.getPayload().size();
                    s.consumed.incrementAndGet();
                    s.produced.set(s.consumed.get()); // the proto: "or read (client stream)"
                    if (m.hasError()) {
                        end(true);
                        out.onError(toError(m.getError(), false));
                        return;
                    }
                    sleep(readDelayMs, cancel);
                    if (flow != null) flow.request(1);
                } catch (StatusRpcException e) {
                    end(false);
                    out.onError(e);
                }
            }

            @Override
            public void onError(Throwable t) {
                end(false);
            }

            @Override
            public void onCompleted() {
                if (ended) return;
                end(true);
                out.onNext(ClientStreamResponse.newBuilder()
                        .setCount(count)
                        .setBytes(bytes)
                        .setFirstSeq(firstSeq)
                        .setLastSeq(lastSeq)
                        .setInOrder(inOrder)
                        .build());
                out.onCompleted();
            }

            private void end(boolean done) {
                ended = true;
                if (s != null) s.finish(done);
            }
        };
    }

    StreamObserver<BidiRequest> bidiStream(StreamObserver<BidiResponse> out) {
        CompletableFuture<Throwable> cancel = cancellation();
        return new StreamObserver<>() {
            Stats s;
            boolean ended;

            @Override
            public void onNext(BidiRequest m) {
                if (ended) return;
                try {
                    if (s == null) {
                        s = statsFor(m.getStreamId());
                        Stats st = s;
                        cancel.thenRun(() -> {
                            if (!st.finished) st.cancelled = true;
                        });
                        waitForHold(m.getHoldId(), cancel);
                    }
                    s.consumed.incrementAndGet();
                    if (m.hasError()) {
                        end(true);
                        out.onError(toError(m.getError(), false));
                        return;
                    }
                    sleep(m.getDelayMs(), cancel);
                    out.onNext(BidiResponse.newBuilder().setSeq(m.getSeq()).setPayload(m.getPayload()).build());
                    s.produced.incrementAndGet();
                } catch (StatusRpcException e) {
                    end(false);
                    out.onError(e);
                }
            }

            @Override
            public void onError(Throwable t) {
                end(false);
            }

            @Override
            public void onCompleted() {
                if (ended) return;
                end(true);
                out.onCompleted();
            }

            private void end(boolean done) {
                ended = true;
                if (s != null) s.finish(done);
            }
        };
    }

    StreamStatsResponse getStreamStats(StreamStatsRequest req) {
        echoHeaders();
        Stats s = req.getStreamId().isEmpty() ? null : STATS.get(req.getStreamId());
        if (s == null) return StreamStatsResponse.newBuilder().setKnown(false).build();
        return StreamStatsResponse.newBuilder()
                .setProduced(s.produced.get())
                .setConsumed(s.consumed.get())
                .setCancelled(s.cancelled)
                .setFinished(s.finished)
                .setKnown(true)
                .build();
    }

    ReleaseHoldResponse releaseHold(ReleaseHoldRequest req) {
        Hold h = holdFor(req.getHoldId());
        boolean wasWaiting = h.waiting;
        h.released.complete(null);
        return ReleaseHoldResponse.newBuilder().setWasWaiting(wasWaiting).build();
    }
}
