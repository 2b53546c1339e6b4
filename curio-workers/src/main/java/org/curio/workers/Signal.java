package org.curio.workers;

/**
 * The Linux signals by name and number, for {@link SignalQueue}, {@link SignalEvent} and
 * {@link Subprocess#sendSignal(Signal)}. The JVM refuses handlers for {@link #QUIT} (thread dumps),
 * {@link #ILL}, {@link #FPE}, {@link #SEGV} (its own use), {@link #KILL} and {@link #STOP} (nobody
 * can catch those).
 */
public enum Signal {
    /** Hang-up; by convention "reload the configuration". */
    HUP(1),
    /** Interrupt (Ctrl-C). */
    INT(2),
    /** Quit; the JVM prints a thread dump. */
    QUIT(3),
    /** Illegal instruction. */
    ILL(4),
    /** Abort. */
    ABRT(6),
    /** Arithmetic fault. */
    FPE(8),
    /** Kill; cannot be caught. */
    KILL(9),
    /** User-defined 1. */
    USR1(10),
    /** Invalid memory reference. */
    SEGV(11),
    /** User-defined 2. */
    USR2(12),
    /** Write to a pipe nobody reads. */
    PIPE(13),
    /** Alarm clock. */
    ALRM(14),
    /** Termination request. */
    TERM(15),
    /** A child stopped or exited. */
    CHLD(17),
    /** Continue if stopped. */
    CONT(18),
    /** Stop; cannot be caught. */
    STOP(19),
    /** Terminal stop (Ctrl-Z). */
    TSTP(20),
    /** Terminal window size changed. */
    WINCH(28);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    /** {@return the signal's number on Linux} */
    public int number() {
        return number;
    }

    /** {@return whether the JVM refuses a handler for this signal} */
    public boolean isRefused() {
        return switch (this) {
            case QUIT, ILL, FPE, SEGV, KILL, STOP -> true;
            default -> false;
        };
    }
}
