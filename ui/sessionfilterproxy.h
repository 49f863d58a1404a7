#pragma once

#include <QSortFilterProxyModel>

namespace lockscope {

// Filters the session table by free text, by a quick filter and by the folder
// chosen in the sidebar; sorts every column by its raw value.
class SessionFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionFilterProxy)

public:
    enum QuickFilter
    {
        All,
        NeedsAttention,
        Held,
        Idle
    };
    Q_ENUM(QuickFilter)

    explicit SessionFilterProxy(QObject *parent = nullptr);

    void setText(const QString &text);
    QString text() const { return m_text; }
    void setQuickFilter(QuickFilter filter);
    QuickFilter quickFilter() const { return m_quick; }
    // Only rows under this root folder, or of this chats folder; empty for all.
    void setRootScope(const QString &root);
    void setChatsScope(const QString &chatsDir);
    void clearScope();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    QString m_text;
    QuickFilter m_quick = All;
    QString m_root;
    QString m_chats;
};

} // namespace lockscope
