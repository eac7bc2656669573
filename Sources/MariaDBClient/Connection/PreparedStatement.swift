import CMariaDB

/// One prepared statement of a connection (`MYSQL_STMT`). Owned by its connection and
/// used only on that connection's thread.
final class PreparedStatement {
    private let statement: UnsafeMutablePointer<MYSQL_STMT>
    let sql: String

    init(connection: UnsafeMutablePointer<MYSQL>, sql: String) throws(MariaDBError) {
        guard let statement = mysql_stmt_init(connection) else {
            throw MariaDBError(.statementFailed, "out of memory preparing a statement")
        }
        self.statement = statement
        self.sql = sql
        let status = sql.utf8CString.withUnsafeBufferPointer { text in
            mysql_stmt_prepare(statement, text.baseAddress, UInt(text.count - 1))
        }
        if status != 0 {
            // Every stored property is set, so the throw runs deinit, which closes the
            // statement (closing it here too freed it twice).
            throw lastError()
        }
    }

    deinit {
        mysql_stmt_close(statement)
    }

    /// Executes with `parameters` bound in order; returns the affected-row count and, for
    /// statements with a result set, its rows.
    func execute(_ parameters: [MariaDBValue]) throws(MariaDBError) -> (affectedRows: UInt64, rows: [MariaDBRow]) {
        let expected = Int(mysql_stmt_param_count(statement))
        guard expected == parameters.count else {
            throw MariaDBError(
                .statementFailed,
                "the statement takes \(expected) parameters, \(parameters.count) given"
            )
        }
        try bindAndExecute(parameters)
        let affected = mysql_stmt_affected_rows(statement)
        guard let metadata = mysql_stmt_result_metadata(statement) else {
            return (affected, [])
        }
        defer {
            mysql_free_result(metadata)
            mysql_stmt_free_result(statement)
        }
        return (affected, try fetchRows(metadata))
    }

    private func bindAndExecute(_ parameters: [MariaDBValue]) throws(MariaDBError) {
        // Parameter memory must stay valid until mysql_stmt_execute returns.
        let count = parameters.count
        let binds = UnsafeMutablePointer<MYSQL_BIND>.allocate(capacity: max(1, count))
        let lengths = UnsafeMutablePointer<UInt>.allocate(capacity: max(1, count))
        binds.initialize(repeating: MYSQL_BIND(), count: max(1, count))
        lengths.initialize(repeating: 0, count: max(1, count))
        var buffers: [UnsafeMutableRawPointer] = []
        defer {
            for buffer in buffers { buffer.deallocate() }
            binds.deallocate()
            lengths.deallocate()
        }
        for (index, value) in parameters.enumerated() {
            switch value {
            case .null:
                binds[index].buffer_type = MYSQL_TYPE_NULL
            case .int(let number):
                let buffer = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
                buffer.storeBytes(of: number, as: Int64.self)
                buffers.append(buffer)
                binds[index].buffer_type = MYSQL_TYPE_LONGLONG
                binds[index].buffer = buffer
            case .double(let number):
                let buffer = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
                buffer.storeBytes(of: number, as: Double.self)
                buffers.append(buffer)
                binds[index].buffer_type = MYSQL_TYPE_DOUBLE
                binds[index].buffer = buffer
            case .text(let text):
                let bytes = Array(text.utf8)
                let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
                bytes.withUnsafeBytes {
                    buffer.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(buffer), byteCount: bytes.count)
                }
                buffers.append(buffer)
                binds[index].buffer_type = MYSQL_TYPE_STRING
                binds[index].buffer = buffer
                binds[index].buffer_length = UInt(bytes.count)
                lengths[index] = UInt(bytes.count)
                binds[index].length = lengths + index
            }
        }
        if count > 0, mysql_stmt_bind_param(statement, binds) != 0 { throw lastError() }
        if mysql_stmt_execute(statement) != 0 { throw lastError() }
    }

    private func fetchRows(_ metadata: UnsafeMutablePointer<MYSQL_RES>) throws(MariaDBError) -> [MariaDBRow] {
        if mysql_stmt_store_result(statement) != 0 { throw lastError() }
        let columnCount = Int(mysql_num_fields(metadata))
        let fields = mysql_fetch_fields(metadata)!
        let columns = (0..<columnCount).map { String(cString: fields[$0].name) }

        let binds = UnsafeMutablePointer<MYSQL_BIND>.allocate(capacity: columnCount)
        let lengths = UnsafeMutablePointer<UInt>.allocate(capacity: columnCount)
        let nulls = UnsafeMutablePointer<my_bool>.allocate(capacity: columnCount)
        let doubles = UnsafeMutablePointer<Double>.allocate(capacity: columnCount)
        binds.initialize(repeating: MYSQL_BIND(), count: columnCount)
        lengths.initialize(repeating: 0, count: columnCount)
        nulls.initialize(repeating: 0, count: columnCount)
        doubles.initialize(repeating: 0, count: columnCount)
        defer {
            binds.deallocate()
            lengths.deallocate()
            nulls.deallocate()
            doubles.deallocate()
        }
        // Floating-point columns are read as doubles (Connector/C's own text rendering of
        // them is unreliable); everything else as text.
        let isFloating = (0..<columnCount).map {
            fields[$0].type == MYSQL_TYPE_DOUBLE || fields[$0].type == MYSQL_TYPE_FLOAT
        }
        for column in 0..<columnCount {
            binds[column].length = lengths + column
            binds[column].is_null = nulls + column
            if isFloating[column] {
                binds[column].buffer_type = MYSQL_TYPE_DOUBLE
                binds[column].buffer = UnsafeMutableRawPointer(doubles + column)
                binds[column].buffer_length = 8
            } else {
                binds[column].buffer_type = MYSQL_TYPE_STRING
            }
        }
        if mysql_stmt_bind_result(statement, binds) != 0 { throw lastError() }

        var rows: [MariaDBRow] = []
        while true {
            let status = mysql_stmt_fetch(statement)
            if status == MYSQL_NO_DATA { break }
            if status == 1 { throw lastError() }
            // With zero-length buffers every non-empty column reports truncation; each
            // is then read whole with mysql_stmt_fetch_column.
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if nulls[column] != 0 {
                    values.append(nil)
                    continue
                }
                if isFloating[column] {
                    values.append(String(doubles[column]))
                    continue
                }
                let length = Int(lengths[column])
                if length == 0 {
                    values.append("")
                    continue
                }
                var bytes = [UInt8](repeating: 0, count: length)
                var columnLength: UInt = 0
                var single = MYSQL_BIND()
                let fetched = bytes.withUnsafeMutableBytes { buffer in
                    withUnsafeMutablePointer(to: &columnLength) { lengthPointer in
                        single.buffer_type = MYSQL_TYPE_STRING
                        single.buffer = buffer.baseAddress
                        single.buffer_length = UInt(length)
                        single.length = lengthPointer
                        return mysql_stmt_fetch_column(statement, &single, UInt32(column), 0)
                    }
                }
                if fetched != 0 { throw lastError() }
                values.append(String(decoding: bytes, as: UTF8.self))
            }
            rows.append(MariaDBRow(columns: columns, values: values))
        }
        return rows
    }

    func lastError() -> MariaDBError {
        let number = mysql_stmt_errno(statement)
        return MariaDBError.from(number: number, message: String(cString: mysql_stmt_error(statement)))
    }
}

extension MariaDBError {
    /// Maps a server or client-library error number to a code.
    static func from(number: UInt32, message: String) -> MariaDBError {
        let code: Code =
            switch number {
            case 1045, 1044, 1698, 1142, 1143: .accessDenied
            case 1049: .unknownDatabase
            case 2002, 2003, 2005, 2012: .connectionFailed
            case 2006, 2013, 2055, 2026, 1927, 4031: .connectionLost
            default: .statementFailed
            }
        return MariaDBError(code, message, errorNumber: number)
    }
}
