#pragma once

#include "lockremover.h"
#include "sessionrow.h"
#include "storediscovery.h"
#include "storesidebar.h"
#include "timelineevent.h"

#include <QMainWindow>
#include <QPalette>
#include <QPointer>
#include <QSet>
#include <QStringList>
#include <QVector>

class QAction;
class QButtonGroup;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QProgressDialog;
class QSplitter;
class QTabWidget;
class QTableView;

namespace lockscope {

class CleanupPreviewDialog;
class ConfirmRemovalDialog;
class DetailsPane;
class LiveStore;
class SessionFilterProxy;
class SessionTableModel;
class TimelineModel;
struct RemovalResult;

// The window: sidebar of roots and projects, the filtered table of sessions
// and lock files, details and timeline below, and the actions that remove
// locks, always through the core's LockRemover.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    struct Options
    {
        QVector<ScanTarget> targets; // before the folders the person added
        bool demo = false;           // a temporary demo store: added folders are not used
        QString auditLogPath;        // empty: AuditLog::defaultPath()
    };

    explicit MainWindow(const Options &options, QWidget *parent = nullptr);
    ~MainWindow() override;

    LiveStore *liveStore() const { return m_store; }
    SessionTableModel *model() const { return m_model; }
    SessionFilterProxy *proxy() const { return m_proxy; }
    TimelineModel *timeline() const { return m_timeline; }
    QTableView *table() const { return m_table; }
    DetailsPane *details() const { return m_details; }
    StoreSidebar *sidebar() const { return m_sidebar; }
    QString lastOutcome() const;
    // The status bar's note on live updates: "Live updates", or polling and the sysctls.
    QString liveStatusText() const;
    QString degradedBannerText() const;

    QAction *removeAction() const { return m_remove; }
    QAction *forceAction() const { return m_force; }
    QAction *cleanupAction() const { return m_cleanup; }
    QAction *undoAction() const { return m_undo; }
    QAction *refreshAction() const { return m_refresh; }
    QAction *aboutAction() const { return m_about; }

    void addFolder(const QString &path);
    bool exportTimeline(const QString &path);
    // The JSON "Copy diagnostics" puts on the clipboard, for the selection.
    QString diagnosticsJson() const;
    QVector<SessionRow> selectedRows() const;
    bool selectKey(const QString &key);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildActions();
    void buildMenus();
    void buildLayout();
    QHBoxLayout *buildFilterBar();
    QWidget *buildTablePane();
    QTabWidget *buildBottomTabs();
    void buildStatusBar();
    QLabel *makeBanner(const QString &name, const QString &accessibleName,
                       QPalette::ColorRole background, QPalette::ColorRole foreground);
    void restoreSettings();
    void saveSettings() const;
    void applyTargets();

    void onUpdated();
    void onRestoreFinished(const QVector<RestoreResult> &results);
    void onSelectionChanged();
    void onScopeChanged(StoreSidebar::Scope scope, const QString &path);
    void onObserved(const TimelineEvent &event);
    void updateActions();
    void updateStatus();
    void checkOpenDialog();

    void removeSelected();
    void forceRemoveSelected();
    void confirmAndRemove(const QVector<SessionRow> &rows, bool force);
    void cleanupAllStale();
    void undoLastRemoval();
    void openContainingFolder();
    void copyPath();
    void copyDiagnostics();
    void chooseFolderToAdd();
    void chooseTimelineExport();
    void performRemovals(const QVector<SessionRow> &rows, bool force);
    void reportResults(const QVector<RemovalResult> &results);
    void showOutcome(const QString &text);
    void showAbout();

    Options m_options;
    QString m_auditPath;
    QStringList m_addedFolders;
    LiveStore *m_store = nullptr;
    SessionTableModel *m_model = nullptr;
    SessionFilterProxy *m_proxy = nullptr;
    TimelineModel *m_timeline = nullptr;

    StoreSidebar *m_sidebar = nullptr;
    QTableView *m_table = nullptr;
    QTableView *m_timelineView = nullptr;
    DetailsPane *m_details = nullptr;
    QLineEdit *m_filter = nullptr;
    QButtonGroup *m_quick = nullptr;
    QLabel *m_outcome = nullptr;
    QLabel *m_degraded = nullptr;
    QLabel *m_totals = nullptr;
    QLabel *m_confirmed = nullptr;
    QLabel *m_live = nullptr;
    QLabel *m_problems = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QSplitter *m_rightSplitter = nullptr;

    QAction *m_remove = nullptr;
    QAction *m_force = nullptr;
    QAction *m_cleanup = nullptr;
    QAction *m_undo = nullptr;
    QAction *m_openFolder = nullptr;
    QAction *m_copyPath = nullptr;
    QAction *m_copyDiagnostics = nullptr;
    QAction *m_refresh = nullptr;
    QAction *m_find = nullptr;
    QAction *m_addFolder = nullptr;
    QAction *m_about = nullptr;

    QPointer<ConfirmRemovalDialog> m_confirm;
    QPointer<QProgressDialog> m_progress;
    QVector<QStringList> m_undoStack; // audit ids, one list per removal action
    QSet<QString> m_removedByYou;     // paths whose disappearance we caused
    QSet<QString> m_restoredByYou;    // paths whose reappearance we caused
    QString m_shownKey;               // the row in the details pane
    size_t m_shownFingerprint = 0;
};

} // namespace lockscope
