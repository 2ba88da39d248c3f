import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/** Makes the JVM collect (young, old and an explicit full collection) and names its collectors:
 *  run with -Xlog:gc under each collector, its log lines and names are what Java services print. */
public class GcProbe {
    public static void main(String[] args) {
        List<byte[]> kept = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            kept.add(new byte[64 * 1024]);
            if (kept.size() > 400) kept.subList(0, 200).clear();
        }
        System.gc();
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) System.out.println("collector\t" + collector.getName());
    }
}
