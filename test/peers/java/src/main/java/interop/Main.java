package interop;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;

import triple.interop.v1.CamelInteropService;
import triple.interop.v1.InteropService;

/**
 * Dubbo Java 3.3.6 Triple server for the interop tests: triple.interop.v1.CamelInteropService (what
 * plain HTTP calls: JSON unary, SSE server streams) and triple.interop.v1.InteropService (gRPC only),
 * one port for HTTP/1.1, h2c and gRPC.
 *
 * <p>Environment:
 * <ul>
 *   <li>JAVA_PEER_PORT (required): the port. Dubbo binds it on all interfaces whatever host is
 *       configured (it treats any 127.* host as "any host"); it advertises 127.0.0.1.
 *   <li>JAVA_PEER_GROUP=1: also register both services as version 2.0.0 / group blue
 *       (served_by "2.0.0/blue"). Off by default: with it, Dubbo 3.3.6 routes every plain-HTTP
 *       request to that registration whatever TRI-Service-Version/-Group say.
 *   <li>JAVA_PEER_CORS=0: do not configure CORS (default: allow any origin).
 *   <li>JAVA_PEER_LOG_LEVEL: log4j level (default warn). Logs go to stderr.
 * </ul>
 *
 * <p>When the port answers HTTP it prints exactly one line to stdout: {"url":"http://127.0.0.1:PORT"}.
 * SIGTERM stops it within about 3 s.
 */
public final class Main {

    private static final String HOST = "127.0.0.1";

    /** Headers a browser client sends and reads (see docs: TRIPLE-PROTOCOL.md, CORS). */
    private static final String ALLOWED_HEADERS = String.join(
            ",",
            "content-type",
            "tri-protocol-version",
            "tri-service-timeout",
            "tri-service-version",
            "tri-service-group",
            "connect-content-encoding",
            "connect-accept-encoding",
            "content-encoding",
            "accept-encoding",
            "x-user-agent",
            "x-grpc-web",
            "grpc-timeout",
            "*");

    private static final String EXPOSED_HEADERS = String.join(
            ",",
            "content-encoding",
            "connect-content-encoding",
            "grpc-status",
            "grpc-message",
            "grpc-status-details-bin",
            "*");

    public static void main(String[] args) throws Exception {
        // stdout is the ready line's alone: whatever Dubbo or a library prints goes to stderr.
        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);

        int port = readPort();
        boolean withGroup = "1".equals(System.getenv("JAVA_PEER_GROUP"));

        System.setProperty("dubbo.application.logger", "slf4j");
        System.setProperty("dubbo.application.qos-enable", "false");
        // Graceful shutdown waits 10 s by default; SIGTERM must end the process within ~3 s.
        System.setProperty("dubbo.service.shutdown.wait", "100");
        if (!"0".equals(System.getenv("JAVA_PEER_CORS"))) setCors();

        installShutdownDeadline();

        ApplicationConfig app = new ApplicationConfig("triple-es-java-peer");
        app.setQosEnable(false);
        app.setLogger("slf4j");

        ProtocolConfig protocol = new ProtocolConfig("tri", port);
        protocol.setHost(HOST);

        DubboBootstrap bootstrap = DubboBootstrap.getInstance()
                .application(app)
                .registry(new RegistryConfig(RegistryConfig.NO_AVAILABLE))
                .protocol(protocol)
                .service(service(CamelInteropService.class, new CamelImpl("default"), null, null))
                .service(service(InteropService.class, new PascalImpl("default"), null, null));
        if (withGroup) {
            bootstrap
                    .service(service(CamelInteropService.class, new CamelImpl("2.0.0/blue"), "2.0.0", "blue"))
                    .service(service(InteropService.class, new PascalImpl("2.0.0/blue"), "2.0.0", "blue"));
        }
        bootstrap.start();

        String url = "http://" + HOST + ":" + port;
        waitUntilServing(url, 30_000);
        stdout.println("{\"url\":\"" + url + "\"}");
        stdout.flush();

        bootstrap.await();
    }

    /** CORS: only these properties take effect in 3.3.6 (RestConfig.setCors is ignored). */
    private static void setCors() {
        System.setProperty("dubbo.protocol.triple.rest.cors.allowed-origins", "*");
        System.setProperty("dubbo.protocol.triple.rest.cors.allowed-methods", "GET,POST,PUT,OPTIONS");
        System.setProperty("dubbo.protocol.triple.rest.cors.allowed-headers", ALLOWED_HEADERS);
        System.setProperty("dubbo.protocol.triple.rest.cors.exposed-headers", EXPOSED_HEADERS);
        System.setProperty("dubbo.protocol.triple.rest.cors.max-age", "7200");
    }

    private static int readPort() {
        String v = System.getenv("JAVA_PEER_PORT");
        if (v == null || v.isEmpty()) {
            System.err.println("java peer: JAVA_PEER_PORT is required (the port to serve on)");
            System.exit(1);
        }
        try {
            int p = Integer.parseInt(v.trim());
            if (p > 0 && p <= 65535) return p;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        System.err.println("java peer: JAVA_PEER_PORT=" + v + " is not a port number (1-65535)");
        System.exit(1);
        return -1;
    }

    private static <T> ServiceConfig<T> service(Class<T> iface, T impl, String version, String group) {
        ServiceConfig<T> s = new ServiceConfig<>();
        s.setInterface(iface);
        s.setRef(impl);
        if (version != null) s.setVersion(version);
        if (group != null) s.setGroup(group);
        return s;
    }

    /** Polls GET / until the port answers HTTP (any status), or exits with 1. */
    private static void waitUntilServing(String url, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        Exception last = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpURLConnection c = (HttpURLConnection) new URL(url + "/").openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(2000);
                c.getResponseCode();
                c.disconnect();
                return;
            } catch (Exception e) {
                last = e;
                Thread.sleep(50);
            }
        }
        System.err.println("java peer: " + url + " did not answer within " + timeoutMs + " ms: " + last);
        System.exit(1);
    }

    /**
     * Dubbo's own shutdown hook runs on SIGTERM; if it (or anything it waits for) still runs after
     * 2 s, halt. The timer is a daemon thread, so a quick shutdown is not delayed by it.
     */
    private static void installShutdownDeadline() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException ignored) {
                    return;
                }
                System.err.println("java peer: shutdown took too long, halting");
                Runtime.getRuntime().halt(0);
            }, "java-peer-halt");
            killer.setDaemon(true);
            killer.start();
        }, "java-peer-shutdown-deadline"));
    }
}
