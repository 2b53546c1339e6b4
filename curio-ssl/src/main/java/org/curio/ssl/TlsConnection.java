package org.curio.ssl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

import org.curio.io.ByteStream;
import org.curio.io.Connection;
import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.ssl.internal.DelegatedTasks;
import org.curio.ssl.internal.TlsRecording;
import org.curio.sync.Event;
import org.curio.sync.Lock;
import org.curio.traps.CancelledException;
import org.curio.traps.ReadResourceBusyException;
import org.curio.traps.TaskTimeoutException;
import org.curio.traps.Traps;
import org.curio.traps.WriteResourceBusyException;
import org.jspecify.annotations.Nullable;

/**
 * A TLS stream over any other {@link Connection}: a TCP or Unix {@link org.curio.io.Socket}, or an
 * in-memory connection. It is itself a {@code Connection}, so {@link ByteStream#of(Connection)},
 * {@link org.curio.io.Network#serve} and every protocol written against {@code Connection} run over it
 * unchanged. The engine is the JDK's {@link SSLEngine}. Curio: {@code curio.ssl} and
 * {@code SSLSocket} proxies; Trio: {@code SSLStream}.
 *
 * {@snippet :
 * try (TlsConnection tls = TlsConnection.client(Network.openConnection("example.org", 443),
 *         TlsSettings.client().withServerName("example.org"))) {
 *     tls.sendAll("GET / HTTP/1.0\r\nHost: example.org\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
 *     byte[] reply = tls.asStream().readAll();
 * }
 * }
 *
 * <p><b>Handshake.</b> The first receive or send runs the handshake (lazily), or call
 * {@link #handshake()} to run it now and see its failure at once. Its time is bounded by
 * {@link TlsSettings#handshakeTimeout()} (10 s by default) in total; past it the handshake fails with an
 * {@link SSLHandshakeException}. Every task waiting for a handshake wakes when it ends, and sees its
 * failure. A handshake failure closes the transport; the exception names the reason the JDK gives,
 * which for an alert from the peer is the alert's name ({@code Received fatal alert: certificate_unknown}).
 * {@link #rehandshake()} starts a new one on an established connection: a KeyUpdate on TLS 1.3, a
 * renegotiation on TLS 1.2.
 *
 * <p><b>Close.</b> {@link #close()} never suspends. Once the handshake is done and no task is in the
 * middle of sending, it queues close_notify and lets a short-lived daemon task send it, within
 * {@link TlsSettings#closeTimeout()} (3 s by default), before it closes the transport; otherwise it
 * closes the transport at once. Either way the transport is closed exactly once, and a task waiting on
 * this connection wakes with an {@link IOException}. A transport end of stream without close_notify (a
 * ragged EOF, which may be a truncation attack) fails the reader with an {@link SSLException} every time
 * it asks, unless {@link TlsSettings#withRaggedEofAsEndOfStream(boolean)} makes it an end of stream.
 *
 * <p><b>Half-close.</b> {@link #shutdownOutput()} sends close_notify (then shuts the transport's output
 * down). On TLS 1.3 that closes only this direction: the peer reads end of stream and may go on
 * sending, and this side goes on receiving (RFC 8446 §6.1). On TLS 1.2 close_notify closes the whole
 * connection: a JDK peer answers it with its own close_notify at once, so after a half-close this side
 * reads end of stream and the peer can no longer send.
 *
 * <p><b>Partial progress and cancellation.</b> Positions count plaintext. A cancelled or timed-out
 * receive takes no byte with it: bytes decrypted but not yet handed out stay buffered for the next
 * receive. A send encrypts one record of {@code src} (at most 16 KiB), advances the position by the
 * plaintext consumed, and then waits until the record has gone out; if it is cancelled while waiting,
 * the position still counts that record: its ciphertext is whole records queued in order, sent before
 * anything else (by the next send, or by {@link #shutdownOutput()} or {@link #close()}), so the
 * connection stays usable and the peer receives exactly the bytes the position reports. A cancelled handshake loses nothing either: the next call goes on with it.
 *
 * <p><b>Ciphertext order.</b> Every record the engine produces, whichever task produced it (a writer's
 * data, a reader's answer to a KeyUpdate, renegotiation or close_notify), joins one queue and goes out
 * in that order; one task at a time writes to the transport. Delegated engine tasks run on a worker
 * thread unless {@link TlsSettings#withInlineDelegatedTasks(boolean)} says otherwise.
 *
 * <p><b>Answers a receiver sends, and buffers full both ways.</b> A task that only receives also sends
 * what the engine must answer: a TLS 1.3 KeyUpdate that asks for one, this side's part of a TLS 1.2
 * renegotiation (so one the peer starts, such as {@code openssl s_client}'s {@code R}, completes while
 * this side only reads), a TLS 1.2 close_notify reply; and a TLS 1.3 server sends its session ticket at
 * the end of its handshake. While a task of this side is sending, the receiver leaves its answer queued
 * for that task and goes on receiving; otherwise it sends the answer itself and receives nothing until
 * the transport has taken it. So the two sides wait for each other forever exactly when (1) such an
 * answer is due and no task of this side is sending, (2) this side's outgoing transport is full of bytes
 * the peer has not read, and (3) the peer reads only after its own send completes, which waits for this
 * side to read. A peer that keeps reading while it sends never meets it. With transport buffers smaller
 * than a session ticket plus a request, a TLS 1.3 client that sends its first request without reading
 * meets it against a server still sending its ticket. A {@link Timeouts} bound on the calls turns it into
 * a timeout. The JDK accepts a client-initiated renegotiation (secure renegotiation only) unless
 * {@code -Djdk.tls.rejectClientInitiatedRenegotiation=true}.
 *
 * <p><b>Session resumption.</b> See {@link #sessionResumed()}.
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a connection; at most one task may wait to
 * receive, and one to send, at a time (a second fails with a {@link org.curio.traps.ResourceBusyException}).
 */
public final class TlsConnection implements Connection {
    /*
     * Implementation notes. Three buffers: netIn holds ciphertext received and not yet unwrapped (read
     * mode: position..limit), appIn plaintext unwrapped and not yet handed out (read mode), and wrapBuf
     * is scratch space for wrap. Each wrap's output is copied into its own buffer on the outgoing queue
     * at once, without a suspension in between, so the queue's order is the engine's order. flush()
     * sends the queue under sendLock; a task that is cancelled mid-send leaves the rest of the head
     * buffer in place for the next one.
     *
     * Receiving is Trio's scheme: whoever needs ciphertext takes recvLock for one transport receive,
     * unless someone else received while it waited (the receive count moved), in which case it retries
     * the engine first. The receive goes into the free tail of netIn beyond its limit, so other tasks
     * may unwrap from netIn meanwhile; netIn is compacted or grown only by the lock holder before it
     * receives. Readers unwrap until the engine underflows before they wait, so bytes already here are
     * never left behind a wait for readiness that will not come (edge-triggered polling).
     *
     * Closing the transport first throws away the ciphertext that has arrived and nobody will read
     * (Connection.discardReceived), as the JDK's SSLSocket does before it closes: a TCP socket closed
     * with unread bytes in its receive buffer sends a reset instead of FIN, which drops whatever of this
     * side's last records (close_notify included) has not left yet, and the peer reads "connection
     * reset" instead of end of stream. The common case
     * is a TLS 1.3 client that only sends: the server's session ticket arrives after the client's
     * handshake is done and sits unread until the close.
     */
    private static final AtomicLong LIVE_ENGINES = new AtomicLong();
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private enum Handshake { NOT_STARTED, IN_PROGRESS, DONE }

    private final Connection transport;
    private final SSLEngine engine;
    private final TlsSettings settings;
    private final ArrayDeque<ByteBuffer> outgoing = new ArrayDeque<>();   // ciphertext, in engine order
    private final Lock sendLock = new Lock();                              // one task writes the transport
    private final Lock recvLock = new Lock();                              // one task reads the transport
    private ByteBuffer netIn;                  // ciphertext received, read mode
    private ByteBuffer appIn;                  // plaintext unwrapped, read mode
    private ByteBuffer wrapBuf;                // scratch for wrap
    private long queuedBytes;                  // ciphertext ever queued
    private long sentBytes;                    // ciphertext ever sent
    private long receives;                     // transport receives done (Trio's receive count)
    private boolean transportEof;              // the transport returned end of stream
    private Handshake handshake = Handshake.NOT_STARTED;
    private boolean driving;                   // a task drives the initial handshake
    private Event handshakeTurn = new Event(); // set (and replaced) whenever a driver stops
    private long handshakeDeadline;            // kernel clock, when the handshake must be done
    private long handshakeStartMillis;         // wall clock, when the initial handshake began
    private @Nullable Object handshakeRecord;  // its JFR event while one is being recorded
    private @Nullable IOException failure;     // the connection is broken: every call fails with this
    private @Nullable CompletableFuture<Void> task; // delegated tasks running on a worker thread
    private boolean reading;                   // a task is in recvInto
    private boolean writing;                   // a task is in send
    private boolean outputShut;
    private boolean closed;
    private boolean transportClosed;
    private @Nullable ByteStream stream;

    private TlsConnection(Connection transport, SSLEngine engine, TlsSettings settings) {
        this.transport = transport;
        this.engine = engine;
        this.settings = settings;
        SSLSession session = engine.getSession();
        this.netIn = ByteBuffer.allocate(session.getPacketBufferSize()).flip();
        this.appIn = ByteBuffer.allocate(session.getApplicationBufferSize()).flip();
        this.wrapBuf = ByteBuffer.allocate(session.getPacketBufferSize());
        LIVE_ENGINES.incrementAndGet();
    }

    /**
     * {@return the client end of a TLS connection over {@code transport}} Never suspends; the handshake
     * happens on first use or in {@link #handshake()}.
     *
     * @param transport the connection to the server, owned by the result from now on
     * @param settings  client settings; with hostname verification on (the default) they must name
     *                  the server ({@link TlsSettings#withServerName(String)})
     * @throws IllegalArgumentException if the settings are a server's, or name no server while
     *                                  verification is on
     */
    public static TlsConnection client(Connection transport, TlsSettings settings) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(settings, "settings");
        if (!settings.isClient()) {
            throw new IllegalArgumentException("TlsConnection.client needs client settings (TlsSettings.client()), got "
                    + settings);
        }
        String host = settings.serverName().orElse(null);
        if (host == null && settings.verifiesHostname()) {
            throw new IllegalArgumentException("a TLS client verifies the server's host name, so it needs one: "
                    + "call TlsSettings.withServerName(host), or withoutHostnameVerificationInsecure() for tests");
        }
        SSLEngine engine = host == null ? settings.context().createSSLEngine()
                : settings.context().createSSLEngine(host, portOf(transport));
        engine.setUseClientMode(true);
        SSLParameters p = common(engine, settings);
        if (settings.verifiesHostname()) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (host != null && !isIpLiteral(host)) {
            p.setServerNames(List.of(new SNIHostName(host)));
        }
        if (!settings.alpn().isEmpty()) {
            p.setApplicationProtocols(settings.alpn().toArray(String[]::new));
        }
        engine.setSSLParameters(p);
        return new TlsConnection(transport, engine, settings);
    }

    /**
     * {@return the server end of a TLS connection over {@code transport}} Never suspends; the handshake
     * happens on first use or in {@link #handshake()}.
     *
     * @param transport the connection from the client, owned by the result from now on
     * @param settings  server settings
     * @throws IllegalArgumentException if the settings are a client's
     */
    public static TlsConnection server(Connection transport, TlsSettings settings) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(settings, "settings");
        if (settings.isClient()) {
            throw new IllegalArgumentException("TlsConnection.server needs server settings (TlsSettings.server(...)), got "
                    + settings);
        }
        SSLEngine engine = settings.context().createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters p = common(engine, settings);
        switch (settings.clientAuth()) {
            case NEED -> p.setNeedClientAuth(true);
            case WANT -> p.setWantClientAuth(true);
            case NONE -> { }
        }
        engine.setSSLParameters(p);
        List<String> preferred = settings.alpn();
        if (!preferred.isEmpty()) {
            engine.setHandshakeApplicationProtocolSelector((e, offered) -> {
                if (offered.isEmpty()) {
                    return "";                                   // the client does not use ALPN
                }
                for (String protocol : preferred) {
                    if (offered.contains(protocol)) {
                        return protocol;
                    }
                }
                return null;                                     // no_application_protocol (RFC 7301)
            });
        }
        return new TlsConnection(transport, engine, settings);
    }

    private static SSLParameters common(SSLEngine engine, TlsSettings settings) {
        SSLParameters p = engine.getSSLParameters();
        if (!settings.protocols().isEmpty()) {
            p.setProtocols(settings.protocols().toArray(String[]::new));
        }
        if (!settings.cipherSuites().isEmpty()) {
            p.setCipherSuites(settings.cipherSuites().toArray(String[]::new));
        }
        return p;
    }

    private static int portOf(Connection transport) {
        try {
            return transport.remoteAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    /** {@return how many engines are open in this JVM: made and not yet closed} For leak checks. */
    public static long openEngines() {
        return LIVE_ENGINES.get();
    }

    // ------------------------------------------------------------------ handshake

    /**
     * Suspends the calling task until the handshake is done, running it if nobody has yet. Returns at
     * once if it is done already.
     *
     * @throws SSLHandshakeException if it fails or takes longer than the handshake timeout; the
     *                               transport is then closed
     * @throws IOException           if the connection is closed or the transport fails
     * @throws CancelledException    if the task is cancelled while waiting; the handshake can go on
     */
    public void handshake() throws IOException, CancelledException {
        ensureUsable();
        awaitHandshake();
    }

    /**
     * Suspends the calling task until a new handshake has been started and this side's first message
     * sent: on TLS 1.3 a KeyUpdate (the peer answers with its own), on TLS 1.2 a renegotiation, which
     * completes as the two sides go on receiving and sending.
     *
     * @throws IOException        if the connection is closed or broken, or the engine refuses
     * @throws CancelledException if the task is cancelled while waiting
     */
    public void rehandshake() throws IOException, CancelledException {
        ensureUsable();
        awaitHandshake();
        engine.beginHandshake();
        try {
            for (HandshakeStatus s = engine.getHandshakeStatus();
                 s == HandshakeStatus.NEED_WRAP || s == HandshakeStatus.NEED_TASK; s = engine.getHandshakeStatus()) {
                serviceEngine();
            }
            flush();
        } catch (SSLException e) {
            throw broken(e);
        }
    }

    /** {@return whether the initial handshake is done} */
    public boolean isHandshakeComplete() {
        return handshake == Handshake.DONE;
    }

    /** {@return the protocol agreed by ALPN; empty if none was, or before the handshake} */
    public Optional<String> applicationProtocol() {
        String p = engine.getApplicationProtocol();
        return p == null || p.isEmpty() ? Optional.empty() : Optional.of(p);
    }

    /**
     * {@return the TLS session: protocol version, cipher suite, peer certificates} Meaningful once the
     * handshake is done.
     */
    public SSLSession session() {
        return engine.getSession();
    }

    /**
     * {@return whether the initial handshake resumed an earlier session instead of running in full}
     * False before the handshake is done. A resumed handshake (a TLS 1.3 pre-shared key from a session
     * ticket, or a TLS 1.2 session id or ticket) skips the certificate exchange and its key agreement
     * costs less.
     *
     * <p>A client resumes only with the same {@link TlsSettings} object (its {@code SSLContext} holds the
     * session cache), to the same server name and port, over a transport with an IP address (a TCP
     * socket: the JDK keys its client cache on host and port, so connections over Unix sockets or an
     * in-memory network never resume); on TLS 1.3 only once it has received the server's session ticket,
     * which arrives after the handshake, with or before the first data it reads. A server resumes what
     * its own {@code TlsSettings} object issued. The answer compares the session's creation time with
     * the moment this handshake began: a session made earlier was resumed (the JDK keeps a resumed
     * session's creation time).
     */
    public boolean sessionResumed() {
        return handshake == Handshake.DONE && failure == null
                && engine.getSession().getCreationTime() < handshakeStartMillis;
    }

    private void awaitHandshake() throws IOException, CancelledException {
        while (handshake != Handshake.DONE) {
            ensureUsable();
            if (driving) {
                handshakeTurn.await();
            } else {
                driveHandshake();
            }
        }
    }

    private void driveHandshake() throws IOException, CancelledException {
        driving = true;
        try {
            if (handshake == Handshake.NOT_STARTED) {
                handshakeStartMillis = System.currentTimeMillis();
                handshakeRecord = TlsRecording.begin(this::peer);
                engine.beginHandshake();
                handshake = Handshake.IN_PROGRESS;
                handshakeDeadline = settings.handshakeTimeout().map(t -> Timeouts.clock() + t.toNanos()).orElse(0L);
            }
            Optional<Duration> limit = settings.handshakeTimeout();
            if (limit.isEmpty()) {
                handshakeSteps();
            } else {
                long left = handshakeDeadline - Timeouts.clock();
                boolean late = left <= 0;
                if (!late) {
                    try {
                        Timeouts.after(Duration.ofNanos(left), this::handshakeSteps);
                    } catch (TaskTimeoutException e) {
                        late = true;
                    }
                }
                if (late) {
                    throw new SSLHandshakeException("TLS handshake (" + side() + ") with " + peer() + " did not finish within "
                            + limit.get() + " (TlsSettings.withHandshakeTimeout)");
                }
            }
            handshake = Handshake.DONE;
            resizeBuffers();
            recordHandshake(null);
        } catch (IOException e) {
            IOException failed = failHandshake(e);
            recordHandshake(failed);
            throw failed;
        } finally {
            driving = false;
            Event turn = handshakeTurn;
            handshakeTurn = new Event();
            turn.set();
        }
    }

    /** Ends the handshake's JFR event, if one is being recorded. */
    private void recordHandshake(@Nullable IOException failed) {
        Object record = handshakeRecord;
        if (record != null) {
            handshakeRecord = null;
            TlsRecording.end(record, new TlsRecording.Outcome(side(), failed == null ? engine.getSession() : null,
                    failed == null && sessionResumed(), failed == null ? null : failed.getMessage()));
        }
    }

    private void handshakeSteps() throws IOException, CancelledException {
        while (true) {
            HandshakeStatus s = engine.getHandshakeStatus();
            if (s == HandshakeStatus.NOT_HANDSHAKING || s == HandshakeStatus.FINISHED) {
                flush();
                return;
            }
            serviceEngine();
        }
    }

    /**
     * Reads what the peer sent before the transport failed: a peer that rejects the handshake sends an
     * alert and hangs up, and the alert is a better reason than the broken pipe this side then gets.
     */
    private IOException peerAlertOr(IOException e) throws CancelledException {
        if (e instanceof SSLException || transportClosed) {
            return e;
        }
        try {
            Timeouts.ignoreAfter(settings.closeTimeout(), () -> {
                for (int i = 0; i < 64 && !transportEof; i++) {
                    while (hasWholeRecord()) {
                        if (unwrap().bytesConsumed() == 0) {
                            return;
                        }
                    }
                    receiveCiphertext();
                }
            });
        } catch (SSLException alert) {
            return alert;
        } catch (IOException ignored) {
            // Nothing better to report.
        }
        return e;
    }

    /** Records a handshake failure, sends the engine's alert if it can, and closes the transport. */
    private IOException failHandshake(IOException cause) throws CancelledException {
        IOException e = peerAlertOr(cause);
        IOException reason = e instanceof SSLHandshakeException ? e
                : (IOException) new SSLHandshakeException("TLS handshake (" + side() + ") with " + peer() + " failed: "
                        + e.getMessage())
                        .initCause(e);
        if (failure == null) {
            failure = reason;
            try {
                engine.closeOutbound();
                wrap(EMPTY);
                if (!outgoing.isEmpty() && transport.isOpen()) {
                    Timeouts.ignoreAfter(settings.closeTimeout(), this::flush);
                }
            } catch (IOException ignored) {
                // The alert is a courtesy; the failure is what the caller needs.
            } finally {
                closeTransport();
            }
        }
        return reason;
    }

    private void resizeBuffers() {
        SSLSession session = engine.getSession();
        if (wrapBuf.capacity() < session.getPacketBufferSize()) {
            wrapBuf = ByteBuffer.allocate(session.getPacketBufferSize());
        }
        if (appIn.capacity() < session.getApplicationBufferSize()) {
            appIn = grow(appIn, session.getApplicationBufferSize());
        }
    }

    // ------------------------------------------------------------------ receiving

    /**
     * Suspends the calling task until some plaintext arrives, and puts as much as fits into
     * {@code dst}, advancing its position. Runs the handshake first if it has not run. A cancelled
     * receive takes nothing with it.
     *
     * @param dst where to put the bytes
     * @return the count; -1 once the peer has sent close_notify (or at a ragged EOF when that is
     *         allowed); 0 if {@code dst} has no room
     * @throws SSLException       at a ragged EOF (by default), or if the peer sends something invalid
     * @throws IOException        if the connection is closed or the transport fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    @Override
    public int recvInto(ByteBuffer dst) throws IOException, CancelledException {
        Objects.requireNonNull(dst, "dst");
        ensureUsable();
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (reading) {
            throw new ReadResourceBusyException("another task is already receiving on " + this);
        }
        reading = true;
        try {
            Traps.consumeBudget();
            awaitHandshake();
            return receive(dst);
        } catch (SSLException e) {
            throw broken(e);
        } finally {
            reading = false;
        }
    }

    private int receive(ByteBuffer dst) throws IOException, CancelledException {
        while (true) {
            if (appIn.hasRemaining()) {
                return copy(appIn, dst);
            }
            ensureUsable();
            if (engine.isInboundDone()) {
                return -1;
            }
            HandshakeStatus pending = engine.getHandshakeStatus();
            if (pending == HandshakeStatus.NEED_TASK) {
                runDelegatedTasks();                     // a handshake the peer started goes on here
                continue;
            }
            if (pending == HandshakeStatus.NEED_WRAP && !engine.isOutboundDone()) {
                wrap(EMPTY);                             // the rest of this side's flight before waiting
                flushIfPending();
                continue;
            }
            if (!transportEof && !hasWholeRecord()) {
                flushIfPending();
                receiveCiphertext();                     // the engine could only underflow
                continue;
            }
            SSLEngineResult r = unwrap();
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                answerClose();
                continue;
            }
            if (r.bytesProduced() > 0) {
                continue;
            }
            HandshakeStatus s = engine.getHandshakeStatus();
            if (s == HandshakeStatus.NEED_TASK) {
                runDelegatedTasks();
                continue;
            }
            if (s == HandshakeStatus.NEED_WRAP) {
                wrap(EMPTY);                             // an answer: a KeyUpdate, a renegotiation message
                flushIfPending();
                continue;
            }
            if (r.bytesConsumed() > 0) {
                continue;
            }
            if (transportEof) {
                return raggedEof();
            }
            flushIfPending();
            receiveCiphertext();
        }
    }

    /**
     * Sends queued records (an answer this reader queued, or a cancelled send's records) before waiting
     * for a peer that may be waiting for them, unless a task is sending already: that task drains the
     * whole queue, and a reader must not block behind a writer's records while the peer may be blocked
     * the same way.
     */
    private void flushIfPending() throws IOException, CancelledException {
        if (!outgoing.isEmpty() && !sendLock.isLocked()) {
            flush();
        }
    }

    /**
     * {@return whether netIn starts with a whole TLS record} An unwrap would otherwise only underflow;
     * checking the 5-byte record header first saves an engine call per arriving chunk. Anything that
     * does not look like a TLS record header goes to the engine, which reports it.
     */
    private boolean hasWholeRecord() {
        int n = netIn.remaining();
        if (n < 5) {
            return false;
        }
        int at = netIn.position();
        int type = netIn.get(at) & 0xff;
        if (type < 20 || type > 24) {
            return true;                                 // not a record header: let the engine say what it is
        }
        int length = ((netIn.get(at + 3) & 0xff) << 8) | (netIn.get(at + 4) & 0xff);
        return n >= 5 + length;
    }

    /** The peer sent close_notify: sends the engine's answer (TLS 1.2) if it has one. */
    private void answerClose() throws IOException, CancelledException {
        HandshakeStatus s = engine.getHandshakeStatus();
        if (s == HandshakeStatus.NEED_WRAP && !engine.isOutboundDone()) {
            wrap(EMPTY);
            try {
                flushIfPending();
            } catch (IOException e) {
                // The peer may be gone already; its close_notify was the point.
            }
        }
    }

    private int raggedEof() throws SSLException {
        if (settings.raggedEofIsEndOfStream()) {
            return -1;
        }
        throw new SSLException("TLS peer " + peer() + " closed the transport without close_notify (a ragged EOF:"
                + " the data may be truncated); TlsSettings.withRaggedEofAsEndOfStream(true) reads it as end of"
                + " stream, as HTTPS clients do");
    }

    private static int copy(ByteBuffer from, ByteBuffer to) {
        int n = Math.min(from.remaining(), to.remaining());
        to.put(to.position(), from, from.position(), n);
        to.position(to.position() + n);
        from.position(from.position() + n);
        return n;
    }

    private SSLEngineResult unwrap() throws SSLException {
        while (true) {
            appIn.compact();
            SSLEngineResult r;
            try {
                r = engine.unwrap(netIn, appIn);
            } finally {
                appIn.flip();
            }
            if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                return r;
            }
            appIn = grow(appIn, appIn.remaining() + engine.getSession().getApplicationBufferSize());
        }
    }

    /** Receives ciphertext into netIn's tail, unless another task received while this one waited. */
    private void receiveCiphertext() throws IOException, CancelledException {
        long seen = receives;
        recvLock.acquire();
        try {
            ensureUsable();
            if (receives != seen || transportEof) {
                return;                                  // someone else received: try the engine again
            }
            makeRoom();
            ByteBuffer tail = netIn.duplicate().limit(netIn.capacity()).position(netIn.limit());
            int n = transport.recvInto(tail);
            receives++;
            if (n < 0) {
                transportEof = true;
            } else {
                netIn.limit(netIn.limit() + n);
            }
        } finally {
            recvLock.release();
        }
    }

    /** Compacts netIn, or grows it when a whole record would not fit. Only the receive lock's holder calls this. */
    private void makeRoom() {
        if (netIn.position() > 0) {
            netIn.compact().flip();
        }
        int packet = engine.getSession().getPacketBufferSize();
        if (netIn.capacity() < packet || netIn.limit() == netIn.capacity()) {
            netIn = grow(netIn, netIn.remaining() + packet);
        }
    }

    private static ByteBuffer grow(ByteBuffer readMode, int capacity) {
        if (readMode.capacity() >= capacity && readMode.position() == 0) {
            return readMode;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(capacity, readMode.remaining()));
        bigger.put(readMode).flip();
        return bigger;
    }

    // ------------------------------------------------------------------ sending

    /**
     * Suspends the calling task until one record of {@code src} (at most 16 KiB of plaintext) has been
     * encrypted and sent, advancing the position by the plaintext consumed. Runs the handshake first if
     * it has not run. If the task is cancelled while the record is going out, the position already
     * counts it and the record goes out first on the next use of the connection.
     *
     * @param src the bytes
     * @return the count of plaintext bytes consumed; 0 if {@code src} is empty
     * @throws IOException        if the connection is closed, broken or shut down for output
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    @Override
    public int send(ByteBuffer src) throws IOException, CancelledException {
        Objects.requireNonNull(src, "src");
        ensureUsable();
        if (outputShut) {
            throw new IOException("TLS output shut down (shutdownOutput): cannot send on " + this);
        }
        if (!src.hasRemaining()) {
            return 0;
        }
        if (writing) {
            throw new WriteResourceBusyException("another task is already sending on " + this);
        }
        writing = true;
        try {
            Traps.consumeBudget();
            awaitHandshake();
            flush();                                     // earlier records first; nothing of src taken yet
            while (true) {
                ensureUsable();
                SSLEngineResult r = wrap(src);
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new IOException("TLS output closed (close_notify sent or received): cannot send on "
                            + this);
                }
                if (r.bytesConsumed() > 0) {
                    flush();
                    return r.bytesConsumed();
                }
                if (r.bytesProduced() > 0) {
                    flush();
                } else {
                    serviceEngine();                     // a KeyUpdate or renegotiation in progress
                }
            }
        } catch (SSLException e) {
            throw broken(e);
        } finally {
            writing = false;
        }
    }

    private SSLEngineResult wrap(ByteBuffer src) throws SSLException {
        while (true) {
            wrapBuf.clear();
            SSLEngineResult r = engine.wrap(src, wrapBuf);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                wrapBuf = ByteBuffer.allocate(Math.max(wrapBuf.capacity() * 2, engine.getSession().getPacketBufferSize()));
                continue;
            }
            wrapBuf.flip();
            if (wrapBuf.hasRemaining()) {
                ByteBuffer record = ByteBuffer.allocate(wrapBuf.remaining());
                record.put(wrapBuf).flip();
                outgoing.addLast(record);
                queuedBytes += record.remaining();
            }
            return r;
        }
    }

    /**
     * Suspends the calling task until everything queued now has been sent. The task that holds the send
     * lock drains the whole queue, including records queued by others while it sends.
     */
    private void flush() throws IOException, CancelledException {
        long target = queuedBytes;
        while (sentBytes < target) {
            sendLock.acquire();
            try {
                while (!outgoing.isEmpty()) {
                    if (transportClosed) {
                        throw new IOException("TLS connection closed: " + this);
                    }
                    ByteBuffer head = outgoing.getFirst();
                    int n = transport.send(head);
                    sentBytes += n;
                    if (!head.hasRemaining()) {
                        outgoing.removeFirst();
                    }
                }
            } finally {
                sendLock.release();
            }
        }
    }

    /** Does the one thing the engine's handshake status asks for. */
    private void serviceEngine() throws IOException, CancelledException {
        switch (engine.getHandshakeStatus()) {
            case NEED_TASK -> runDelegatedTasks();
            case NEED_WRAP -> {
                wrap(EMPTY);
                flush();
            }
            case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                SSLEngineResult r = unwrap();
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new SSLException("TLS peer " + peer() + " closed the connection (close_notify) during"
                            + " a handshake");
                }
                if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                    if (transportEof) {
                        throw handshake == Handshake.DONE
                                ? new SSLException("TLS peer " + peer() + " closed the transport during a handshake")
                                : new SSLHandshakeException("TLS peer " + peer()
                                        + " closed the transport during the handshake (is it a TLS server/client?)");
                    }
                    flush();
                    receiveCiphertext();
                }
            }
            case NOT_HANDSHAKING, FINISHED -> { }
        }
    }

    private void runDelegatedTasks() throws IOException, CancelledException {
        if (settings.inlineDelegatedTasks()) {
            for (Runnable t = engine.getDelegatedTask(); t != null; t = engine.getDelegatedTask()) {
                t.run();
            }
            return;
        }
        CompletableFuture<Void> running = task;
        if (running == null) {
            running = DelegatedTasks.start(() -> {
                for (Runnable t = engine.getDelegatedTask(); t != null; t = engine.getDelegatedTask()) {
                    t.run();
                }
            });
            task = running;
        }
        try {
            Curio.awaitFuture(running);                  // a cancelled wait leaves it running for the next call
        } catch (ExecutionException e) {
            throw new SSLException("a TLS engine task failed: " + e.getCause(), e.getCause());
        } finally {
            if (running.isDone()) {
                task = null;
            }
        }
    }

    // ------------------------------------------------------------------ closing

    /**
     * Sends close_notify: the peer reads end of stream after the bytes already sent; see the class
     * description for what TLS 1.2 and 1.3 do to the other direction. Never suspends: close_notify (and
     * any record still queued) goes out from a short-lived daemon task within the close timeout, which
     * then shuts the transport's output down. Does nothing the second time.
     *
     * @throws IOException if the connection is closed or broken, or this is not called from a task
     */
    @Override
    public void shutdownOutput() throws IOException {
        ensureUsable();
        if (outputShut) {
            return;
        }
        if (!Traps.inTask()) {
            throw new IOException("shutdownOutput on a TLS connection must be called from a curio task: " + this);
        }
        outputShut = true;
        if (handshake == Handshake.DONE) {
            engine.closeOutbound();
            wrap(EMPTY);
        }
        Curio.spawnDaemon(() -> {
            try {
                Timeouts.ignoreAfter(settings.closeTimeout(), () -> {
                    if (handshake != Handshake.DONE) {
                        awaitHandshake();
                        engine.closeOutbound();
                        wrap(EMPTY);
                    }
                    flush();
                    transport.shutdownOutput();
                });
            } catch (IOException e) {
                // The peer went away; readers see it.
            }
        });
    }

    /**
     * Closes the connection; see the class description. Never suspends; does nothing if closed
     * already. A task waiting on the connection wakes with an {@link IOException}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean graceful = handshake == Handshake.DONE && failure == null && !transportClosed && !engine.isOutboundDone()
                && !sendLock.isLocked() && transport.isOpen() && Traps.inTask() && !settings.closeTimeout().isZero();
        if (graceful) {
            engine.closeOutbound();
            try {
                wrap(EMPTY);
            } catch (SSLException e) {
                graceful = false;
            }
        }
        if (!graceful || outgoing.isEmpty()) {
            closeTransport();
            return;
        }
        Curio.spawnDaemon(() -> {
            try {
                Timeouts.ignoreAfter(settings.closeTimeout(), this::flush);
            } catch (IOException e) {
                // The peer went away first; nothing more to tell it.
            } finally {
                closeTransport();
            }
        });
    }

    private void closeTransport() {
        if (transportClosed) {
            return;
        }
        transportClosed = true;
        try {
            transport.discardReceived();             // unread input would make the close a reset (see notes)
        } catch (IOException e) {
            // Broken or closed already: the close below is all there is to do.
        }
        transport.close();
        engine.closeOutbound();
        try {
            engine.closeInbound();
        } catch (SSLException e) {
            // Expected without the peer's close_notify; the engine is closed all the same.
        }
        outgoing.clear();
        LIVE_ENGINES.decrementAndGet();
    }

    /** Marks the connection broken by {@code e} (the first failure wins) and returns it. */
    private IOException broken(SSLException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
    }

    private void ensureUsable() throws IOException {
        if (closed) {
            throw new IOException("TLS connection closed: " + this);
        }
        IOException f = failure;
        if (f != null) {
            IOException again = f instanceof SSLHandshakeException ? new SSLHandshakeException(f.getMessage())
                    : new SSLException(f.getMessage());
            again.initCause(f);
            throw again;
        }
        if (transportClosed) {
            throw new IOException("TLS connection's transport closed: " + this);
        }
    }

    // ------------------------------------------------------------------ the rest of Connection

    @Override
    public SocketAddress localAddress() throws IOException {
        ensureOpen();
        return transport.localAddress();
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        ensureOpen();
        return transport.remoteAddress();
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("TLS connection closed: " + this);
        }
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public ByteStream asStream() {
        ByteStream s = stream;
        if (s == null) {
            s = ByteStream.of(this);
            stream = s;
        }
        return s;
    }

    /** {@return the transport this connection runs over} */
    public Connection transport() {
        return transport;
    }

    private String side() {
        return engine.getUseClientMode() ? "client" : "server";
    }

    private String peer() {
        try {
            return String.valueOf(transport.remoteAddress());
        } catch (IOException e) {
            return String.valueOf(transport);
        }
    }

    @Override
    public String toString() {
        String state = closed ? "closed" : failure != null ? "broken" : handshake == Handshake.DONE
                ? engine.getSession().getProtocol() : "handshake " + handshake.name().toLowerCase(java.util.Locale.ROOT);
        return "TlsConnection[" + side() + ", " + transport + ", " + state + "]";
    }
}
