"""Sales: carts, tenders and payments, checkout, what follows a sale (refund, void,
exchange, reprint), customers, order lookup, groups and consignment."""
