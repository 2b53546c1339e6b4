package org.curio.ssl.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A TLS handshake, from its first step to its end (success or failure). */
@Name("curio.TlsHandshake")
@Label("TLS Handshake")
@Category("curio")
@Description("A TLS handshake, from its first step to its end, successful or not.")
@StackTrace(false)
final class TlsHandshakeEvent extends Event {
    @Label("Task Id")
    @Description("The task that finished the handshake; 0 if none")
    long taskId;
    @Label("Task Name")
    String taskName;
    @Label("Side")
    @Description("client or server")
    String side;
    @Label("Peer")
    String peer;
    @Label("Protocol")
    String protocol;
    @Label("Cipher Suite")
    String cipherSuite;
    @Label("Resumed")
    @Description("Whether an earlier session was resumed")
    boolean resumed;
    @Label("Failure")
    @Description("Why it failed; empty if it succeeded")
    String failure;
}
