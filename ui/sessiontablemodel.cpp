#include "sessiontablemodel.h"

#include "logcategories.h"
#include "stateicon.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLocale>

#include <algorithm>

namespace lockscope {

namespace {

// The order of the state column when sorted: most urgent first.
int stateRank(RowState state)
{
    switch (state) {
    case RowState::Stale:
        return 0;
    case RowState::Expired:
        return 1;
    case RowState::Busy:
        return 2;
    case RowState::Unverifiable:
        return 3;
    case RowState::InTransition:
        return 4;
    case RowState::Held:
        return 5;
    case RowState::NotALock:
        return 6;
    case RowState::Idle:
        return 7;
    }
    return 8;
}

QString elide(const QString &text, int max)
{
    return text.size() <= max ? text : text.left(max - 1) + QChar(0x2026);
}

QString signedDuration(qint64 ms)
{
    if (ms > -1000 && ms < 1000)
        return SessionTableModel::tr("< 1 s");
    return ms < 0 ? QChar(0x2212) + humanDuration(-ms) : humanDuration(ms);
}

// "lockscope hold /tmp/..." rather than "/work/build/app/lockscope hold /tmp/...".
QString shortCommand(const HolderFacts &holder)
{
    if (holder.cmdline.isEmpty()) {
        const QString exe = QFileInfo(holder.exe).fileName();
        return exe.isEmpty() ? holder.name : exe;
    }
    const int space = holder.cmdline.indexOf(QLatin1Char(' '));
    const QString program = space < 0 ? holder.cmdline : holder.cmdline.left(space);
    return QFileInfo(program).fileName() + (space < 0 ? QString() : holder.cmdline.mid(space));
}

qint64 lastActivityMs(const SessionRow &row)
{
    if (const RecordingInfo *r = row.recording())
        return r->mtimeMs;
    if (const LockEntry *l = row.lock())
        return l->file.mtimeMs;
    return 0;
}

qint64 sizeBytes(const SessionRow &row)
{
    if (const RecordingInfo *r = row.recording())
        return r->sizeBytes;
    if (const LockEntry *l = row.lock())
        return l->file.size;
    return -1;
}

} // namespace

SessionTableModel::SessionTableModel(const Clock &clock, QObject *parent)
    : QAbstractTableModel(parent)
    , m_clock(clock)
{
}

const SessionRow *SessionTableModel::rowAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

int SessionTableModel::rowForKey(const QString &key) const
{
    return m_index.value(IndexKey(key), -1);
}

int SessionTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SessionTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void SessionTableModel::setSnapshot(const SnapshotPtr &snapshot)
{
    StoreUpdate update;
    // The whole snapshot as one folder: every row of it is listed, so rows
    // missing from it go.
    const QString folder = QStringLiteral("*");
    QVector<SessionRow> rows = rowsFromSnapshot(snapshot, folder);
    QSet<QString> keys;
    for (const SessionRow &row : qAsConst(rows))
        keys.insert(row.key);
    QStringList removed;
    for (const QString &key : m_folderKeys.value(folder)) {
        if (!keys.contains(key))
            removed.append(key);
    }
    update.folders.append({folder, nullptr, std::move(rows), removed});
    update.last = true;
    update.fullScan = true;
    applyUpdate(update);
}

void SessionTableModel::applyUpdate(const StoreUpdate &update)
{
    QElapsedTimer timer;
    timer.start();
    int rows = 0;
    for (const FolderRows &folder : update.folders)
        rows += int(folder.rows.size() + folder.removed.size());
    for (const FolderRows &folder : update.folders) {
        if (folder.piece || folder.key == QLatin1String("*"))
            applyFolder(folder.key, folder.rows, folder.removed);
        else { // the folder is gone
            const QSet<QString> keys = m_folderKeys.value(folder.key);
            applyFolder(folder.key, {}, QStringList(keys.cbegin(), keys.cend()));
        }
    }
    if (update.last && update.fullScan)
        m_populated = true;
    qCDebug(lcUiModel) << "update of" << update.folders.size() << "folders," << rows
                       << "rows merged in" << timer.elapsed() << "ms;" << m_rows.size()
                       << "rows now";
}

int SessionTableModel::stateCount(RowState state) const
{
    return m_stateCounts.at(size_t(state));
}

void SessionTableModel::count(const SessionRow &row, int sign)
{
    m_stateCounts.at(size_t(row.state())) += sign;
    m_attention += row.needsAttention() ? sign : 0;
}

// Merges what changed in one folder: rows removed by key, changed rows updated
// in place, new rows appended. Rows of other folders are not looked at, so the
// cost follows the change, not the store's size.
void SessionTableModel::applyFolder(const QString &folder, const QVector<SessionRow> &incoming,
                                    const QStringList &removed)
{
    QSet<QString> &folderKeys = m_folderKeys[folder];
    QVector<int> gone;
    for (const QString &key : removed) {
        const int row = m_index.value(IndexKey(key), -1);
        folderKeys.remove(key);
        if (row >= 0 && m_rows.at(row).folder == folder)
            gone.append(row);
    }
    if (!gone.isEmpty()) {
        std::sort(gone.begin(), gone.end());
        // From the back, one contiguous range at a time.
        int i = int(gone.size()) - 1;
        while (i >= 0) {
            int begin = i;
            while (begin > 0 && gone.at(begin - 1) == gone.at(begin) - 1)
                --begin;
            const int first = gone.at(begin);
            const int last = gone.at(i);
            for (int r = first; r <= last; ++r) {
                if (m_populated)
                    compare(&m_rows.at(r), nullptr);
                count(m_rows.at(r), -1);
                m_index.remove(IndexKey(m_rows.at(r).key));
            }
            beginRemoveRows({}, first, last);
            m_rows.remove(first, last - first + 1);
            endRemoveRows();
            i = begin - 1;
        }
        for (int r = gone.first(); r < m_rows.size(); ++r)
            m_index.insert(IndexKey(m_rows.at(r).key), r);
    }

    QVector<int> added;
    QVector<int> changed;
    for (int i = 0; i < incoming.size(); ++i) {
        const SessionRow &next = incoming.at(i);
        const auto it = m_index.constFind(IndexKey(next.key));
        if (it == m_index.cend()) {
            added.append(i);
            continue;
        }
        const int r = *it;
        SessionRow &row = m_rows[r];
        // Unchanged rows take the new row too, so that the old scan is let go.
        const bool differs = row.fingerprint != next.fingerprint;
        if (differs) {
            if (m_populated)
                compare(&row, &next);
            count(row, -1);
        }
        row = next;
        if (differs) {
            count(row, +1);
            changed.append(r);
        }
    }
    // One signal per run of neighbouring rows: a sorting proxy re-sorts once per
    // signal, not once per row. A folder's rows mostly sit together.
    std::sort(changed.begin(), changed.end());
    for (int i = 0; i < changed.size();) {
        int j = i;
        while (j + 1 < changed.size() && changed.at(j + 1) == changed.at(j) + 1)
            ++j;
        emit dataChanged(index(changed.at(i), 0), index(changed.at(j), ColumnCount - 1));
        i = j + 1;
    }
    if (!added.isEmpty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        for (int i : qAsConst(added)) {
            m_index.insert(IndexKey(incoming.at(i).key), int(m_rows.size()));
            m_rows.append(incoming.at(i));
            count(m_rows.last(), +1);
        }
        endInsertRows();
        if (m_populated) {
            for (int i : qAsConst(added))
                compare(nullptr, &incoming.at(i));
        }
    }

    for (const SessionRow &row : incoming)
        folderKeys.insert(row.key);
    if (folderKeys.isEmpty())
        m_folderKeys.remove(folder);
    qCDebug(lcUiModel) << "merged" << folder << ":" << incoming.size() << "rows," << added.size()
                       << "added," << gone.size() << "removed";
}

void SessionTableModel::compare(const SessionRow *before, const SessionRow *after)
{
    const LockEntry *was = before ? before->lock() : nullptr;
    const LockEntry *now = after ? after->lock() : nullptr;
    TimelineEvent event;
    event.timeMs = m_clock.wallNowMs();
    if (!was && !now)
        return;
    if (!was && now) {
        event.kind = TimelineEvent::Appeared;
        event.path = now->path();
        event.text = tr("%1 appeared (%2)").arg(now->kindName(), rowStateName(after->state()));
    } else if (was && !now) {
        event.kind = TimelineEvent::Released;
        event.path = was->path();
        event.text = tr("%1 is gone").arg(was->kindName());
    } else if (!was->file.sameInode(now->file) || was->file.bytes != now->file.bytes) {
        event.kind = TimelineEvent::Rewritten;
        event.path = now->path();
        event.text = tr("%1 was rewritten (%2)").arg(now->kindName(), rowStateName(after->state()));
    } else if (was->holder.exists() && !now->holder.exists()) {
        event.kind = TimelineEvent::HolderExited;
        event.path = now->path();
        event.text = tr("Holder PID %1 exited; the lock is now %2")
                         .arg(now->payload.pid ? *now->payload.pid : 0)
                         .arg(rowStateName(after->state()).toLower());
    } else if (before->state() != after->state()) {
        event.kind = TimelineEvent::VerdictChanged;
        event.path = now->path();
        event.text =
            tr("%1 \u2192 %2").arg(rowStateName(before->state()), rowStateName(after->state()));
    } else {
        return;
    }
    emit observed(event);
}

void SessionTableModel::tick()
{
    // Only lock rows have an age that moves; on a large store they are few.
    int first = -1;
    for (int r = 0; r <= m_rows.size(); ++r) {
        const LockEntry *l = r < m_rows.size() ? m_rows.at(r).lock() : nullptr;
        const bool ages = l && l->judgement.lockAgeMs;
        if (ages && first < 0)
            first = r;
        if (!ages && first >= 0) {
            emit dataChanged(index(first, LockAgeColumn), index(r - 1, LockAgeColumn),
                             {Qt::DisplayRole, SortRole});
            first = -1;
        }
    }
}

std::optional<qint64> SessionTableModel::lockAgeNow(const SessionRow &row) const
{
    const LockEntry *l = row.lock();
    if (!l || !l->judgement.lockAgeMs)
        return std::nullopt;
    // The verdict measured the age when the snapshot was taken; keep it moving.
    const qint64 elapsed = row.snapshot ? m_clock.wallNowMs() - row.snapshot->generatedAtMs : 0;
    return *l->judgement.lockAgeMs + qMax<qint64>(0, elapsed);
}

QVariant SessionTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SessionRow &row = m_rows.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(row, column);
    case Qt::DecorationRole:
        return column == StateColumn ? QVariant(stateIcon(row.state())) : QVariant();
    case Qt::ToolTipRole:
        return toolTip(row, column);
    case Qt::TextAlignmentRole:
        if (column == PidColumn || column == SizeColumn || column == LockAgeColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::AccessibleTextRole:
        return display(row, column);
    case SortRole:
        return sortValue(row, column);
    case KeyRole:
        return row.key;
    case StateRole:
        return int(row.state());
    case AttentionRole:
        return row.needsAttention();
    case IdleRole:
        return row.isSession() && !row.lock();
    case ChatsDirRole: {
        const ProjectEntry *p = row.project();
        return p ? p->chatsDir : QString();
    }
    case RootRole: {
        const ProjectEntry *p = row.project();
        int rootIndex = p ? p->rootIndex : -1;
        if (!p && row.snapshot) {
            // A lease sits in a root's tmp folder: find the root by path.
            const QString path = row.displayPath();
            for (int i = 0; i < row.snapshot->roots.size(); ++i) {
                if (path.startsWith(row.snapshot->roots.at(i).path))
                    rootIndex = i;
            }
        }
        return row.snapshot && rootIndex >= 0 && rootIndex < row.snapshot->roots.size()
                   ? row.snapshot->roots.at(rootIndex).path
                   : QString();
    }
    case FilterTextRole:
        return filterText(row);
    default:
        return {};
    }
}

QVariant SessionTableModel::display(const SessionRow &row, int column) const
{
    const LockEntry *l = row.lock();
    switch (column) {
    case StateColumn: {
        QString text = rowStateName(row.state());
        QStringList extra = l ? l->judgement.flagNames() : QStringList();
        if (l && l->judgement.cause != Cause::None)
            extra.prepend(causeName(l->judgement.cause));
        if (row.isLeftover())
            extra.append(tr("leftover"));
        if (const SessionEntry *s = row.session(); s && s->pairingUncertain)
            extra.append(tr("pairing uncertain"));
        return extra.isEmpty() ? text : tr("%1 (%2)").arg(text, extra.join(QStringLiteral(", ")));
    }
    case SessionColumn:
        return row.title();
    case ProjectColumn: {
        // The folder's name; its full path and hash are in the tooltip.
        const QString path = row.projectPath();
        const ProjectEntry *p = row.project();
        if (path.isEmpty())
            return tr("(store root)");
        return p && !p->workspace.isEmpty() ? QFileInfo(path).fileName() : path.left(12);
    }
    case PidColumn:
        return row.pid() > 0 ? QVariant(QString::number(row.pid())) : QVariant();
    case HolderColumn: {
        if (!l || !l->holder.exists())
            return {};
        return elide(shortCommand(l->holder), 60);
    }
    case LivenessColumn: {
        if (!l)
            return {};
        if (l->judgement.verdict == Verdict::Unverifiable)
            return tr("cannot be checked here");
        switch (l->holder.liveness) {
        case Liveness::Alive:
            return tr("running");
        case Liveness::AlivePermission:
            return tr("running (other user)");
        case Liveness::Gone:
            return tr("exited");
        case Liveness::ProbeError:
            return tr("cannot tell");
        case Liveness::NotProbed:
            return l->payload.pid ? tr("not checked") : QString();
        }
        return {};
    }
    case LockAgeColumn: {
        const auto age = lockAgeNow(row);
        return age ? signedDuration(*age) : QString();
    }
    case LastActivityColumn: {
        const qint64 ms = lastActivityMs(row);
        return ms > 0 ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat)
                      : QString();
    }
    case SizeColumn: {
        const qint64 size = sizeBytes(row);
        return size >= 0 ? QLocale().formattedDataSize(size) : QString();
    }
    case ProviderColumn: {
        const RecordingInfo *r = row.recording();
        if (!r || (r->provider.isEmpty() && r->model.isEmpty()))
            return {};
        return r->model.isEmpty() ? r->provider : tr("%1 / %2").arg(r->provider, r->model);
    }
    default:
        return {};
    }
}

std::optional<qint64> SessionTableModel::sortNumber(const SessionRow &row, int column) const
{
    switch (column) {
    case StateColumn:
        return stateRank(row.state());
    case PidColumn:
        return row.pid();
    case LockAgeColumn: {
        const auto age = lockAgeNow(row);
        return age ? *age : std::numeric_limits<qint64>::min();
    }
    case LastActivityColumn:
        return lastActivityMs(row);
    case SizeColumn:
        return sizeBytes(row);
    default:
        return std::nullopt;
    }
}

QVariant SessionTableModel::sortValue(const SessionRow &row, int column) const
{
    if (const auto number = sortNumber(row, column))
        return *number;
    return display(row, column).toString().toLower();
}

std::optional<bool> SessionTableModel::lessThan(int left, int right, int column) const
{
    const SessionRow *l = rowAt(left);
    const SessionRow *r = rowAt(right);
    if (!l || !r)
        return std::nullopt;
    const auto a = sortNumber(*l, column);
    const auto b = sortNumber(*r, column);
    if (!a || !b)
        return std::nullopt;
    return *a < *b;
}

QString SessionTableModel::toolTip(const SessionRow &row, int column) const
{
    const LockEntry *l = row.lock();
    switch (column) {
    case StateColumn: {
        QString tip = rowStateExplanation(row.state());
        if (l && !l->judgement.reason.isEmpty())
            tip += QStringLiteral("\n\n") + l->judgement.reason;
        if (row.blocked())
            tip += QStringLiteral("\n\n") + tr("Cannot be removed: %1").arg(row.blockedReason());
        return tip;
    }
    case SessionColumn: {
        const SessionEntry *s = row.session();
        QStringList lines;
        if (s && !s->sessionId.isEmpty())
            lines << tr("Session %1").arg(s->sessionId);
        lines << row.displayPath();
        return lines.join(QLatin1Char('\n'));
    }
    case ProjectColumn: {
        const ProjectEntry *p = row.project();
        return p ? tr("%1\nProject hash %2\n%3")
                       .arg(p->workspace.isEmpty() ? tr("(workspace unknown)") : p->workspace,
                            p->hash, p->chatsDir)
                 : QString();
    }
    case HolderColumn:
        if (l && l->holder.exists())
            return tr("%1\n%2").arg(l->holder.exe, l->holder.cmdline);
        return {};
    case LockAgeColumn:
        if (l && l->judgement.ageFromMtime)
            return tr("Measured from the file's modification time: the payload has no usable "
                      "timestamp.");
        return {};
    default:
        return {};
    }
}

QString SessionTableModel::filterText(const SessionRow &row) const
{
    QStringList parts;
    for (int c = 0; c < ColumnCount; ++c)
        parts << display(row, c).toString();
    if (const SessionEntry *s = row.session())
        parts << s->sessionId;
    if (const ProjectEntry *p = row.project())
        parts << p->hash;
    parts << row.displayPath();
    return parts.join(QLatin1Char('\n'));
}

QVariant SessionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole)
        return columnName(section);
    if (role == Qt::ToolTipRole)
        return columnToolTip(section);
    return {};
}

QString SessionTableModel::columnToolTip(int column)
{
    switch (column) {
    case StateColumn:
        return tr("lockscope's verdict, with its cause and flags. Hover a cell for the reason.");
    case SessionColumn:
        return tr("The session's name, else its title, else the start of the conversation, "
                  "else its id.");
    case ProjectColumn:
        return tr("The project's workspace folder, from the recordings' headers.");
    case PidColumn:
        return tr("The process id written in the lock.");
    case HolderColumn:
        return tr("The command line of the running process with that PID.");
    case LivenessColumn:
        return tr("Whether that PID is running on this machine.");
    case LockAgeColumn:
        return tr("Time since the lock was taken, by its timestamp (or the file's time when the "
                  "payload is unusable); it keeps ticking. Negative when the timestamp is in the "
                  "future.");
    case LastActivityColumn:
        return tr("When the session last wrote to its recording.");
    case SizeColumn:
        return tr("The size of the recording.");
    case ProviderColumn:
        return tr("The provider and model the session started with.");
    default:
        return QString();
    }
}

QString SessionTableModel::columnName(int column)
{
    switch (column) {
    case StateColumn:
        return tr("State");
    case SessionColumn:
        return tr("Session");
    case ProjectColumn:
        return tr("Project");
    case PidColumn:
        return tr("PID");
    case HolderColumn:
        return tr("Holder");
    case LivenessColumn:
        return tr("Liveness");
    case LockAgeColumn:
        return tr("Lock age");
    case LastActivityColumn:
        return tr("Last activity");
    case SizeColumn:
        return tr("Size");
    case ProviderColumn:
        return tr("Provider / model");
    default:
        return QString();
    }
}

} // namespace lockscope
