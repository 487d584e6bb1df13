import Dispatch

/// Stock per item; orders reserve from it.
public actor Inventory {
    private var stock: [String: Int]

    public init(stock: [String: Int]) { self.stock = stock }

    /// Reserves `quantity` of `item`; false when there is not enough.
    public func reserve(_ item: String, quantity: Int) -> Bool {
        guard let available = stock[item], available >= quantity else { return false }
        stock[item] = available - quantity
        return true
    }

    public func remaining(_ item: String) -> Int { stock[item] ?? 0 }
}

/// Totals of what was charged.
public actor Ledger {
    public private(set) var total = 0
    public private(set) var entries = 0

    public init() {}

    public func record(_ amount: Int) {
        total += amount
        entries += 1
    }
}

/// A callback-based price service, as old SDKs have: it answers on a Dispatch queue a
/// little later, or, for the order ids it "loses", never (the bug the example records).
public final class LegacyPriceService: Sendable {
    private let queue = DispatchQueue(label: "legacy-prices")
    private let lostReplies: Set<Int>

    public init(lostReplies: Set<Int> = []) { self.lostReplies = lostReplies }

    /// Whether the reply for `order` is lost (the example's deliberate bug).
    public func losesReply(for order: Int) -> Bool { lostReplies.contains(order) }

    public func price(of item: String, order: Int, reply: @escaping @Sendable (Int) -> Void) {
        if lostReplies.contains(order) { return }  // the callback never fires
        queue.asyncAfter(deadline: .now() + .microseconds(200)) { reply(item.utf8.count * 100) }
    }

    /// The callback API bridged with a continuation (which stays suspended forever when the
    /// reply is lost).
    public func price(of item: String, order: Int) async -> Int {
        await withCheckedContinuation { continuation in
            price(of: item, order: order) { continuation.resume(returning: $0) }
        }
    }
}
