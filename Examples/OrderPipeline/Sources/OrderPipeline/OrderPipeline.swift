import SchedscopeExecutor

/// One order: an id and the items in it.
public struct Order: Sendable {
    public var id: Int
    public var items: [String]

    public init(id: Int, items: [String]) {
        self.id = id
        self.items = items
    }
}

/// What a pipeline run did.
public struct PipelineResult: Sendable, Equatable {
    public var fulfilled: Int
    public var rejected: Int
    public var charged: Int

    public init(fulfilled: Int, rejected: Int, charged: Int) {
        self.fulfilled = fulfilled
        self.rejected = rejected
        self.charged = charged
    }
}

/// An order pipeline on a `SchedscopeExecutor`: orders arrive on an async stream, each is
/// priced item by item in a task group (through a callback service bridged with
/// continuations), reserved in an actor and charged in another. Optionally it also leaks,
/// on purpose, the three kinds of task a leak check must find: a metrics flusher waiting on
/// a stream nobody finishes, a retry that sleeps for an hour, and the orders whose price
/// reply never comes.
public struct OrderPipeline: Sendable {
    public let executor: SchedscopeExecutor
    public let prices: LegacyPriceService
    public let inventory: Inventory
    public let ledger = Ledger()

    public init(executor: SchedscopeExecutor, prices: LegacyPriceService, inventory: Inventory) {
        self.executor = executor
        self.prices = prices
        self.inventory = inventory
    }

    /// Processes `orders`; returns once every order whose prices arrived is done. Orders
    /// whose price reply is lost stay suspended (leaked) in their own task.
    public func run(_ orders: [Order], withDeliberateLeaks: Bool = false) async -> PipelineResult {
        let (incoming, feed) = AsyncStream<Order>.makeStream()
        if withDeliberateLeaks {
            let (metrics, _) = AsyncStream<Int>.makeStream()  // nobody ever finishes it
            executor.spawn(name: "metrics flusher") {
                for await _ in metrics {}
            }
            executor.spawn(name: "retry backoff") {
                try? await Task.sleep(for: .seconds(3600))
            }
        }
        // The producer: feeds the orders, then finishes the stream.
        executor.spawn {
            for order in orders { feed.yield(order) }
            feed.finish()
        }
        // The consumer: one task per order, so that a stuck order does not stop the rest.
        let outcomes = await executor.spawn { () async -> [Bool] in
            var handles: [Task<Bool, Never>] = []
            for await order in incoming {
                let handle = executor.spawn(name: "order \(order.id)") { await process(order) }
                // An order whose reply the service loses never finishes: the example knows
                // which, since it loses them on purpose, and does not wait for them.
                if !prices.losesReply(for: order.id) { handles.append(handle) }
            }
            var done: [Bool] = []
            for handle in handles { done.append(await handle.value) }
            return done
        }.value
        return PipelineResult(
            fulfilled: outcomes.filter { $0 }.count, rejected: outcomes.filter { !$0 }.count,
            charged: await ledger.total)
    }

    /// Prices every item concurrently, reserves them, charges the sum.
    func process(_ order: Order) async -> Bool {
        let total = await withTaskGroup(of: Int.self) { group in
            for item in order.items {
                group.addTask { await prices.price(of: item, order: order.id) }
            }
            return await group.reduce(0, +)
        }
        for item in order.items where !(await inventory.reserve(item, quantity: 1)) {
            return false
        }
        await ledger.record(total)
        return true
    }
}
