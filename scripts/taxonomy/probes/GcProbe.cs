// Makes Mono collect (nursery and major): run with MONO_LOG_LEVEL=debug MONO_LOG_MASK=gc, its log
// lines are what .NET services on Mono print.
class GcProbe {
    static void Main() {
        var kept = new System.Collections.Generic.List<byte[]>();
        for (int i = 0; i < 20000; i++) {
            kept.Add(new byte[4096]);
            if (kept.Count > 1000) kept.Clear();
        }
        System.GC.Collect();
    }
}
