package org.curio.kernel.internal.monitor;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanException;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.ReflectionException;

import org.curio.kernel.internal.KernelTask;

/**
 * A kernel's MBean, {@code org.curio:type=Kernel,name=<id>}: its counters as attributes, and
 * {@code ps}, {@code where(id)}, {@code cancel(id)} and {@code taskTree} as operations answering JSON.
 */
final class KernelJmx implements DynamicMBean {
    /*
     * Implementation notes. A DynamicMBean written out by hand rather than a standard MBean: JMX would
     * otherwise reflect on an interface in this package, which the module does not export. Nothing
     * here is loaded unless a kernel registers an MBean, so a program that never uses JMX pays for
     * neither the platform MBean server (about 350 ms to create, measured) nor these classes; see
     * KernelInspector.jmxByDefault for when a kernel registers one.
     */
    private static final String[] ATTRIBUTES = {"Id", "Backend", "Tasks", "Ready", "Timers", "Registrations",
        "HandOffs", "FutureWaits", "Cycles"};
    private final KernelInspector kernel;

    private KernelJmx(KernelInspector kernel) {
        this.kernel = kernel;
    }

    /** {@return whether the platform MBean server exists already (without creating it)} */
    static boolean platformServerExists() {
        return !MBeanServerFactory.findMBeanServer(null).isEmpty();
    }

    /** Registers {@code kernel}'s MBean with the platform MBean server; returns the name to unregister. */
    static Object register(KernelInspector kernel) {
        try {
            ObjectName name = name(kernel.id());
            ManagementFactory.getPlatformMBeanServer().registerMBean(new KernelJmx(kernel), name);
            return name;
        } catch (JMException e) {
            throw new IllegalStateException("cannot register the MBean of " + kernel + ": " + e, e);
        }
    }

    /** Unregisters the MBean {@link #register} returned. */
    static void unregister(Object name) {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean((ObjectName) name);
        } catch (InstanceNotFoundException e) {
            // unregistered by someone else: nothing left to do
        } catch (JMException e) {
            System.getLogger("org.curio.kernel.monitor").log(System.Logger.Level.WARNING,
                    "cannot unregister " + name + ": " + e);
        }
    }

    /** {@return the MBean name of kernel {@code id}} */
    static ObjectName name(int id) throws JMException {
        return new ObjectName("org.curio:type=Kernel,name=" + id);
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        if (attribute.equals("Id")) {
            return kernel.id();
        }
        if (attribute.equals("Backend")) {
            return kernel.backend();
        }
        Snapshot.Stats s = kernel.snapshot().stats();
        return switch (attribute) {
            case "Tasks" -> s.tasks();
            case "Ready" -> s.ready();
            case "Timers" -> s.timers();
            case "Registrations" -> s.registrations();
            case "HandOffs" -> s.handOffs();
            case "FutureWaits" -> s.futureWaits();
            case "Cycles" -> s.cycles();
            default -> throw new AttributeNotFoundException("no attribute " + attribute + "; the attributes are "
                    + String.join(", ", ATTRIBUTES));
        };
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException("the attributes of a curio kernel are read-only: " + attribute.getName());
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        AttributeList list = new AttributeList();
        for (String a : attributes) {
            try {
                list.add(new Attribute(a, getAttribute(a)));
            } catch (AttributeNotFoundException e) {
                // left out, as the interface specifies
            }
        }
        return list;
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String action, Object[] params, String[] signature) throws MBeanException,
            ReflectionException {
        return switch (action) {
            case "ps" -> ps(kernel.snapshot());
            case "taskTree" -> tree(kernel.snapshot());
            case "where" -> where(taskId(action, params));
            case "cancel" -> cancel(taskId(action, params));
            default -> throw new ReflectionException(new NoSuchMethodException(action),
                    "no operation " + action + "; the operations are ps, where(id), cancel(id) and taskTree");
        };
    }

    private static long taskId(String action, Object[] params) throws MBeanException {
        if (params == null || params.length != 1 || !(params[0] instanceof Long id)) {
            throw new MBeanException(new IllegalArgumentException(action + " takes one long: a task id from ps"));
        }
        return id;
    }

    private KernelTask<?> task(long id) throws MBeanException {
        KernelTask<?> t = kernel.find(id);
        if (t == null) {
            throw new MBeanException(new IllegalArgumentException("kernel " + kernel.id() + " has no task " + id));
        }
        return t;
    }

    private String where(long id) throws MBeanException {
        KernelTask<?> t = task(id);
        KernelInspector.Where w = kernel.where(t);
        StringBuilder out = new StringBuilder("{\"id\":").append(id).append(",\"state\":");
        Json.string(out, w.state()).append(",\"note\":");
        Json.string(out, w.note()).append(",\"frames\":[");
        for (int i = 0; i < w.frames().size(); i++) {
            Json.string(out.append(i == 0 ? "" : ","), w.frames().get(i).toString());
        }
        return out.append("]}").toString();
    }

    private String cancel(long id) throws MBeanException {
        KernelTask<?> t = task(id);
        boolean terminated = kernel.cancel(t, 1000);
        return "{\"id\":" + id + ",\"requested\":true,\"terminated\":" + terminated + "}";
    }

    private static String ps(Snapshot s) {
        StringBuilder out = new StringBuilder("{\"kernel\":").append(s.kernelId()).append(",\"exact\":")
                .append(s.exact()).append(",\"tasks\":[");
        List<TaskInfo> tasks = s.tasks();
        for (int i = 0; i < tasks.size(); i++) {
            task(out.append(i == 0 ? "" : ","), tasks.get(i)).append('}');
        }
        return out.append("]}").toString();
    }

    private static StringBuilder task(StringBuilder out, TaskInfo t) {
        out.append("{\"id\":").append(t.id()).append(",\"name\":");
        Json.string(out, t.name()).append(",\"state\":");
        Json.string(out, t.state()).append(",\"cycles\":").append(t.cycles())
                .append(",\"timeout\":").append(Json.seconds(t.timeoutNanos()))
                .append(",\"sleep\":").append(Json.seconds(t.sleepNanos()))
                .append(",\"parent\":").append(t.parentId() == 0 ? "null" : String.valueOf(t.parentId()))
                .append(",\"daemon\":").append(t.daemon()).append(",\"group\":");
        return Json.string(out, t.group());
    }

    private static String tree(Snapshot s) {
        Map<Long, List<TaskInfo>> children = new HashMap<>();
        Map<Long, TaskInfo> byId = new HashMap<>();
        for (TaskInfo t : s.tasks()) {
            byId.put(t.id(), t);
        }
        StringBuilder out = new StringBuilder("{\"kernel\":").append(s.kernelId()).append(",\"tasks\":[");
        boolean first = true;
        for (TaskInfo t : s.tasks()) {
            if (byId.containsKey(t.parentId())) {
                children.computeIfAbsent(t.parentId(), p -> new java.util.ArrayList<>()).add(t);
            }
        }
        for (TaskInfo t : s.tasks()) {
            if (!byId.containsKey(t.parentId())) {
                node(out.append(first ? "" : ","), t, children);
                first = false;
            }
        }
        return out.append("]}").toString();
    }

    private static void node(StringBuilder out, TaskInfo t, Map<Long, List<TaskInfo>> children) {
        task(out, t).append(",\"children\":[");
        List<TaskInfo> kids = children.getOrDefault(t.id(), List.of());
        for (int i = 0; i < kids.size(); i++) {
            node(out.append(i == 0 ? "" : ","), kids.get(i), children);
        }
        out.append("]}");
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        MBeanAttributeInfo[] attributes = new MBeanAttributeInfo[ATTRIBUTES.length];
        for (int i = 0; i < ATTRIBUTES.length; i++) {
            String a = ATTRIBUTES[i];
            String type = a.equals("Backend") ? "java.lang.String" : a.equals("Cycles") ? "long" : "int";
            attributes[i] = new MBeanAttributeInfo(a, type, description(a), true, false, false);
        }
        MBeanParameterInfo[] id = {new MBeanParameterInfo("id", "long", "a task id from ps")};
        MBeanOperationInfo[] operations = {
            new MBeanOperationInfo("ps", "the tasks, as JSON", new MBeanParameterInfo[0], "java.lang.String",
                    MBeanOperationInfo.INFO),
            new MBeanOperationInfo("where", "a task's stack, as JSON", id, "java.lang.String", MBeanOperationInfo.INFO),
            new MBeanOperationInfo("cancel", "cancels a task and waits up to a second for it to end; JSON", id,
                    "java.lang.String", MBeanOperationInfo.ACTION),
            new MBeanOperationInfo("taskTree", "the tasks by parent, as JSON", new MBeanParameterInfo[0],
                    "java.lang.String", MBeanOperationInfo.INFO),
        };
        return new MBeanInfo(KernelJmx.class.getName(), "a curio kernel", attributes, null, operations, null);
    }

    private static String description(String attribute) {
        return switch (attribute) {
            case "Id" -> "the kernel's short id, as the monitor console shows it";
            case "Backend" -> "the coroutine backend";
            case "Tasks" -> "live tasks";
            case "Ready" -> "tasks ready to run";
            case "Timers" -> "armed timers (sleeps and timeouts)";
            case "Registrations" -> "descriptors registered for readiness";
            case "HandOffs" -> "hand-offs from other threads waiting for the kernel's next turn";
            case "FutureWaits" -> "tasks waiting for a future";
            default -> "task runs (since the kernel was built, with a monitor console; otherwise over live tasks)";
        };
    }
}
