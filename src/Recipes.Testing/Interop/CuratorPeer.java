// A line-oriented Apache Curator peer for the Recipes interop tests.
//
// Usage: java CuratorPeer <connectionString>
// Prints "ready" once connected, then reads one command per line on stdin and answers with exactly one line on
// stdout. Failures answer "error <ExceptionType>: <message>". End of input or "quit" closes everything and exits.
// Arguments are separated by single spaces, so paths, ids and names must not contain spaces.
//
// Commands and answers:
//   lock <path> [timeoutMs]             InterProcessMutex.acquire        -> acquired <ourNodePath> | timeout
//   release <path>                      InterProcessMutex.release        -> released
//   participants <lockPath>             getParticipantNodes(), names     -> participants [name ...]
//   semacquire <path> <maxLeases> [timeoutMs]
//                                       InterProcessSemaphoreV2.acquire (one lease held per path)
//                                                                        -> acquired <leaseNodePath> | timeout
//   semrelease <path>                   Lease.close (returns the lease)  -> released
//   latch <path> <id>                   LeaderLatch.start, waits for node -> started <ourNodePath>
//   isleader <path>                     LeaderLatch.hasLeadership        -> isleader true|false
//   leader <path>                       LeaderLatch.getLeader().getId()  -> leader <id>
//   latchparticipants <path>            LeaderLatch.getParticipants ids  -> latchparticipants [id ...]
//   closelatch <path>                   LeaderLatch.close                -> closed
//   register <base> <name> <id> <address> <port> [key=value ...] [@sslPort=N] [@uriSpec=T] [@type=T] [@time=ms]
//                                       ServiceDiscovery.registerService (DYNAMIC unless @type; Map payload of the
//                                       key=value pairs, or null; @uriSpec is a UriSpec template without spaces)
//                                                                        -> registered <id>
//   instancejson <base> <name> <nodeName>
//                                       queryForInstance, written back by Curator's JsonInstanceSerializer
//                                                                        -> instancejson <json> | instancejson null
//   instances <base> <name>             queryForInstances, sorted ids    -> instances [id ...]
//   unregister <base> <name> <id>       ServiceDiscovery.unregisterService -> unregistered
//   quit                                                                 -> bye

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.utils.ZKPaths;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceInstanceBuilder;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.UriSpec;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;

public final class CuratorPeer {
    /** A mutex that tells which node it holds (the path is kept per thread; every command runs on the main thread). */
    private static final class Mutex extends InterProcessMutex {
        Mutex(CuratorFramework client, String path) {
            super(client, path);
        }

        String ourPath() {
            return getLockPath();
        }
    }

    private final CuratorFramework client;
    private final Map<String, Mutex> locks = new HashMap<>();
    private final Map<String, InterProcessSemaphoreV2> semaphores = new HashMap<>();
    private final Map<String, Lease> leases = new HashMap<>();
    private final Map<String, LeaderLatch> latches = new HashMap<>();
    @SuppressWarnings("rawtypes")
    private final Map<String, ServiceDiscovery<Map>> discoveries = new HashMap<>();
    @SuppressWarnings("rawtypes")
    private final Map<String, ServiceInstance<Map>> instances = new HashMap<>();

    private CuratorPeer(CuratorFramework client) {
        this.client = client;
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        if (args.length != 1) {
            out.println("error IllegalArgumentException: usage: CuratorPeer <connectionString>");
            System.exit(2);
            return;
        }

        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(args[0])
                .retryPolicy(new RetryNTimes(10, 200))
                .sessionTimeoutMs(15000)
                .connectionTimeoutMs(10000)
                .build();
        client.start();
        if (!client.blockUntilConnected(20, TimeUnit.SECONDS)) {
            out.println("error IllegalStateException: could not connect to " + args[0]);
            client.close();
            System.exit(1);
            return;
        }

        CuratorPeer peer = new CuratorPeer(client);
        out.println("ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            line = line.trim();
            if (line.isEmpty()) {
                continue;
            }

            if (line.equals("quit")) {
                break;
            }

            String answer;
            try {
                answer = peer.run(line.split(" "));
            } catch (Exception e) {
                String message = String.valueOf(e.getMessage()).replace('\n', ' ').replace('\r', ' ');
                answer = "error " + e.getClass().getSimpleName() + ": " + message;
            }

            out.println(answer);
        }

        peer.closeAll();
        client.close();
        out.println("bye");
        System.exit(0);
    }

    private String run(String[] a) throws Exception {
        switch (a[0]) {
            case "lock": {
                need(a, 2);
                Mutex mutex = locks.computeIfAbsent(a[1], p -> new Mutex(client, p));
                boolean acquired;
                if (a.length > 2) {
                    acquired = mutex.acquire(Long.parseLong(a[2]), TimeUnit.MILLISECONDS);
                } else {
                    mutex.acquire();
                    acquired = true;
                }

                return acquired ? "acquired " + mutex.ourPath() : "timeout";
            }
            case "release": {
                need(a, 2);
                Mutex mutex = locks.get(a[1]);
                if (mutex == null) {
                    throw new IllegalStateException("no lock on " + a[1]);
                }

                mutex.release();
                return "released";
            }
            case "participants": {
                need(a, 2);
                Mutex mutex = locks.get(a[1]);
                Collection<String> nodes = (mutex != null ? mutex : new Mutex(client, a[1])).getParticipantNodes();
                StringBuilder answer = new StringBuilder("participants");
                for (String node : nodes) {
                    answer.append(' ').append(ZKPaths.getNodeFromPath(node));
                }

                return answer.toString();
            }
            case "semacquire": {
                need(a, 3);
                if (leases.containsKey(a[1])) {
                    throw new IllegalStateException("a lease of " + a[1] + " is already held");
                }

                int maxLeases = Integer.parseInt(a[2]);
                InterProcessSemaphoreV2 semaphore = semaphores.computeIfAbsent(a[1], p -> new InterProcessSemaphoreV2(client, p, maxLeases));
                Lease lease;
                if (a.length > 3) {
                    lease = semaphore.acquire(Long.parseLong(a[3]), TimeUnit.MILLISECONDS);
                } else {
                    lease = semaphore.acquire();
                }

                if (lease == null) {
                    return "timeout";
                }

                leases.put(a[1], lease);
                // Curator names the lease node only; answer its full path, as "lock" does.
                return "acquired " + ZKPaths.makePath(a[1], "leases", lease.getNodeName());
            }
            case "semrelease": {
                need(a, 2);
                Lease lease = leases.remove(a[1]);
                if (lease == null) {
                    throw new IllegalStateException("no lease of " + a[1]);
                }

                lease.close();
                return "released";
            }
            case "latch": {
                need(a, 3);
                if (latches.containsKey(a[1])) {
                    throw new IllegalStateException("a latch on " + a[1] + " is already started");
                }

                LeaderLatch latch = new LeaderLatch(client, a[1], a[2]);
                latches.put(a[1], latch);
                latch.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (latch.getOurPath() == null) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the latch node was not created within 10 s");
                    }

                    Thread.sleep(10);
                }

                return "started " + latch.getOurPath();
            }
            case "isleader":
                need(a, 2);
                return "isleader " + latch(a[1]).hasLeadership();
            case "leader":
                need(a, 2);
                return "leader " + latch(a[1]).getLeader().getId();
            case "latchparticipants": {
                need(a, 2);
                StringBuilder answer = new StringBuilder("latchparticipants");
                for (Participant participant : latch(a[1]).getParticipants()) {
                    answer.append(' ').append(participant.getId());
                }

                return answer.toString();
            }
            case "closelatch":
                need(a, 2);
                latch(a[1]).close();
                latches.remove(a[1]);
                return "closed";
            case "register": {
                need(a, 6);
                Map<String, String> payload = null;
                @SuppressWarnings({"rawtypes", "unchecked"})
                ServiceInstanceBuilder<Map> builder = ServiceInstance.<Map>builder()
                        .name(a[2])
                        .id(a[3])
                        .address(a[4])
                        .port(Integer.parseInt(a[5]))
                        .serviceType(ServiceType.DYNAMIC);
                for (int i = 6; i < a.length; i++) {
                    int eq = a[i].indexOf('=');
                    if (eq < 1) {
                        throw new IllegalArgumentException("payload entries are key=value: " + a[i]);
                    }

                    String key = a[i].substring(0, eq);
                    String value = a[i].substring(eq + 1);
                    switch (key) {
                        case "@sslPort":
                            builder.sslPort(Integer.parseInt(value));
                            break;
                        case "@uriSpec":
                            builder.uriSpec(new UriSpec(value));
                            break;
                        case "@type":
                            builder.serviceType(ServiceType.valueOf(value));
                            break;
                        case "@time":
                            builder.registrationTimeUTC(Long.parseLong(value));
                            break;
                        default:
                            if (payload == null) {
                                payload = new HashMap<>();
                            }

                            payload.put(key, value);
                    }
                }

                @SuppressWarnings("rawtypes")
                ServiceInstance<Map> instance = builder.payload(payload).build();
                discovery(a[1]).registerService(instance);
                instances.put(a[1] + "|" + a[2] + "|" + a[3], instance);
                return "registered " + instance.getId();
            }
            case "instancejson": {
                need(a, 4);
                @SuppressWarnings("rawtypes")
                ServiceInstance<Map> instance = discovery(a[1]).queryForInstance(a[2], a[3]);
                if (instance == null) {
                    return "instancejson null";
                }

                @SuppressWarnings({"rawtypes", "unchecked"})
                JsonInstanceSerializer<Map> serializer = new JsonInstanceSerializer<>(Map.class);
                return "instancejson " + new String(serializer.serialize(instance), StandardCharsets.UTF_8);
            }
            case "instances": {
                need(a, 3);
                List<String> ids = new ArrayList<>();
                for (@SuppressWarnings("rawtypes") ServiceInstance<Map> instance : discovery(a[1]).queryForInstances(a[2])) {
                    ids.add(instance.getId());
                }

                Collections.sort(ids);
                return "instances" + (ids.isEmpty() ? "" : " " + String.join(" ", ids));
            }
            case "unregister": {
                need(a, 4);
                @SuppressWarnings("rawtypes")
                ServiceInstance<Map> instance = instances.remove(a[1] + "|" + a[2] + "|" + a[3]);
                if (instance == null) {
                    throw new IllegalStateException("not registered here: " + a[2] + "/" + a[3]);
                }

                discovery(a[1]).unregisterService(instance);
                return "unregistered";
            }
            default:
                throw new IllegalArgumentException("unknown command '" + a[0] + "'");
        }
    }

    private static void need(String[] a, int count) {
        if (a.length < count) {
            throw new IllegalArgumentException("'" + a[0] + "' needs " + (count - 1) + " argument(s)");
        }
    }

    private LeaderLatch latch(String path) {
        LeaderLatch latch = latches.get(path);
        if (latch == null) {
            throw new IllegalStateException("no latch on " + path);
        }

        return latch;
    }

    @SuppressWarnings("rawtypes")
    private ServiceDiscovery<Map> discovery(String basePath) throws Exception {
        ServiceDiscovery<Map> discovery = discoveries.get(basePath);
        if (discovery == null) {
            discovery = ServiceDiscoveryBuilder.builder(Map.class).client(client).basePath(basePath).build();
            discovery.start();
            discoveries.put(basePath, discovery);
        }

        return discovery;
    }

    private void closeAll() {
        for (Mutex mutex : locks.values()) {
            try {
                while (mutex.isOwnedByCurrentThread()) {
                    mutex.release();
                }
            } catch (Exception e) {
                // Closing anyway: the session's ephemerals go with it.
            }
        }

        for (Lease lease : leases.values()) {
            try {
                lease.close();
            } catch (Exception e) {
                // Closing anyway: the session's ephemerals go with it.
            }
        }

        for (LeaderLatch latch : latches.values()) {
            try {
                latch.close();
            } catch (Exception e) {
                // Closing anyway.
            }
        }

        for (@SuppressWarnings("rawtypes") ServiceDiscovery<Map> discovery : discoveries.values()) {
            try {
                discovery.close();
            } catch (Exception e) {
                // Closing anyway.
            }
        }
    }
}
