package org.curio.test;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Optional;

import org.curio.kernel.Kernel;
import org.curio.kernel.VirtualClock;
import org.curio.kernel.spi.KernelClock;
import org.curio.test.internal.Runner;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.jspecify.annotations.Nullable;

/**
 * The JUnit 5 extension behind {@link CurioTest}: builds a kernel per test, hands the kernel, its
 * clock, a {@link Steps} checker and its {@link Trace} to the test's parameters, runs the test method
 * as the kernel's main task, then closes the kernel and checks it. Use it through {@link CurioTest};
 * registering it on a class by hand has the same effect on methods annotated {@code @CurioTest} and
 * none on others.
 */
public final class CurioExtension implements ParameterResolver, InvocationInterceptor {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CurioExtension.class);

    /** Creates the extension; JUnit does this. */
    public CurioExtension() {}

    /** The kernel of one test and what checks it. */
    private record Session(Runner runner, KernelClock clock, Steps steps) implements AutoCloseable {
        Kernel kernel() {
            return runner.kernel();
        }

        /** Closes the kernel if the test never ran (JUnit closes what its store holds). */
        @Override
        public void close() {
            if (!kernel().isClosed()) {
                kernel().close();
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        if (annotation(context).isEmpty()) {
            return false;
        }
        Class<?> type = parameter.getParameter().getType();
        return type == Kernel.class || type == VirtualClock.class || type == KernelClock.class
                || type == Steps.class || type == Trace.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Session s = session(context);
        Class<?> type = parameter.getParameter().getType();
        if (type == Kernel.class) {
            return s.kernel();
        }
        if (type == Steps.class) {
            return s.steps();
        }
        if (type == Trace.class) {
            return s.runner().trace();
        }
        if (type == VirtualClock.class && !(s.clock() instanceof VirtualClock)) {
            throw new ParameterResolutionException("a VirtualClock parameter needs @CurioTest(realClock = false)");
        }
        return s.clock();
    }

    @Override
    public void interceptTestMethod(Invocation<@Nullable Void> invocation,
                                    ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext context) throws Throwable {
        if (annotation(context).isEmpty()) {
            invocation.proceed();
            return;
        }
        Session s = session(context);
        s.runner().run(() -> {
            try {
                return invocation.proceed();
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        });
    }

    private static Optional<CurioTest> annotation(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.getAnnotation(CurioTest.class));
    }

    /** The test's session, made on first use: before parameters are resolved, before the kernel runs. */
    private static Session session(ExtensionContext context) {
        CurioTest settings = annotation(context).orElseThrow(() ->
                new ExtensionConfigurationException("curio's extension serves @CurioTest methods only"));
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(Session.class, k -> open(settings, context),
                Session.class);
    }

    private static Session open(CurioTest settings, ExtensionContext context) {
        if (settings.timeLimitSeconds() <= 0) {
            throw new ExtensionConfigurationException("@CurioTest time limit must be positive: "
                    + settings.timeLimitSeconds());
        }
        if (settings.autojumpThresholdMillis() < 0) {
            throw new ExtensionConfigurationException("@CurioTest autojump threshold must not be negative: "
                    + settings.autojumpThresholdMillis());
        }
        KernelClock clock = settings.realClock() ? KernelClock.SYSTEM
                : VirtualClock.withAutojumpThreshold(Duration.ofMillis(settings.autojumpThresholdMillis()));
        Runner runner = Runner.open(Kernel.builder().clock(clock), null, Duration.ofSeconds(settings.timeLimitSeconds()),
                settings.checkDescriptors(), kernel -> context.getDisplayName() + " on "
                        + kernel.backend().name().toLowerCase(java.util.Locale.ROOT) + " backend, "
                        + (settings.realClock() ? "system clock" : "virtual clock"));
        return new Session(runner, clock, new Steps());
    }
}
