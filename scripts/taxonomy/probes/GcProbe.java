import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/** The names of the JVM's collectors (run under each -XX:+Use...GC), as GC monitors quote them. */
public class GcProbe {
    public static void main(String[] args) {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) System.out.println(collector.getName());
    }
}
